; Inno Setup 6 script: a per-machine installer of the PyInstaller bundle dist\Lotsen\.
; Built by `python packaging\build.py --installer`, which passes the defines below; by hand:
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=C:\src\lotsen\dist\Lotsen /DOutputDir=C:\src\lotsen\dist packaging\lotsen.iss
;
; Silent install for regional IT (Intune, SCCM):  Lotsen-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Silent uninstall, keeping every user's data:    "%ProgramFiles%\Lotsen\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Add /PURGEDATA to the uninstall to also remove the data of the user running it (see docs/installation.md).

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (packaging\build.py does it from pyproject.toml)
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\Lotsen"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
; Never change the AppId: it ties upgrades and the uninstaller to earlier installs.
AppId={{6B0E5F7A-3C1D-4E8B-9A52-7D4C1F0B2E91}
AppName=Lotsen
AppVersion={#AppVersion}
AppVerName=Lotsen {#AppVersion}
AppPublisher=Lotsen
VersionInfoVersion={#AppVersion}
VersionInfoDescription=Lotsen installationsprogram
DefaultDirName={autopf}\Lotsen
DefaultGroupName=Lotsen
DisableProgramGroupPage=yes
DisableDirPage=auto
; Per machine: Program Files, shortcuts for all users, needs administrator rights.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=Lotsen-{#AppVersion}-setup
SetupIconFile=lotsen.ico
UninstallDisplayIcon={app}\Lotsen.exe
UninstallDisplayName=Lotsen {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running Lotsen is closed (Restart Manager) so that an upgrade can replace its files; it is not restarted.
CloseApplications=force
RestartApplications=no
SetupLogging=yes

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\Swedish.isl")
Name: "sv"; MessagesFile: "compiler:Languages\Swedish.isl"
#else
; Swedish.isl is a user-contributed translation (https://jrsoftware.org/files/istrans/): put it in Inno Setup's
; Languages folder to get a Swedish wizard. Silent installs show no wizard either way.
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "Skapa en genväg på skrivbordet"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle as a whole: files a newer version no longer ships must not linger in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Lotsen"; Filename: "{app}\Lotsen.exe"; Comment: "Ärendestöd för vårdlotsar"
Name: "{autodesktop}\Lotsen"; Filename: "{app}\Lotsen.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Lotsen.exe"; Description: "Starta Lotsen"; Flags: nowait postinstall skipifsilent

[Code]
function PurgeAsked(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/PURGEDATA') = 0 then
      Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  // Data is kept unless asked for: the database holds patients' cases and the letters sent to them.
  DataDir := ExpandConstant('{localappdata}\Lotsen');
  if not DirExists(DataDir) then
    exit;
  if PurgeAsked() or ((not UninstallSilent()) and (MsgBox(
      'Vill du också ta bort dina Lotsen-data i ' + DataDir + '?' + #13#10#13#10 +
      'Där finns databasen med ärendena, säkerhetskopiorna, loggarna och de sparade breven. ' +
      'De går inte att få tillbaka. Välj Nej om du är osäker.',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES)) then
    DelTree(DataDir, True, True, True);
end;
