"""The access log's integrity (hash chain, verification) and its review by the granskare."""
