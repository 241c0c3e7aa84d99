"""The agreements' performance criteria (kömiljarden, DOMAIN §7): definitions as data per year
(resources/criteria/*.toml), their evaluation over the national measures, and the year's follow-up."""
