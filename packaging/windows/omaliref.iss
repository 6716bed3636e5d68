; Inno Setup 6 script: a per-machine installer for the one-folder PyInstaller build (dist\omaliref).
; NOT RUN YET: written from the Inno Setup 6 documentation; see docs/deploy.md, "What was run where".
;
; Build (from the repository root, after the PyInstaller build):
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.9.0 packaging\windows\omaliref.iss
;   -> dist\installer\omaliref-0.9.0-setup.exe
;
; Silent per-machine install, naming the site folder (a share holding the CMS files, settings.toml, payers.toml):
;   omaliref-0.9.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SITEDIR="\\fileserver\omaliref$"
; /SITEDIR writes data_folder into C:\ProgramData\omaliref\settings.toml (the site config folder), unless IT has put
; a settings.toml there already, which is never overwritten. Without /SITEDIR the wizard asks (it may stay empty).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6F1C2B8E-3D0A-4E57-9B1E-0A5C7D2E9F41}
AppName=omaliref
AppVersion={#AppVersion}
AppPublisher=omaliref
AppComments=Charge-entry reference and unit & waste calculator for omalizumab (J2357) and look-alike drug codes
DefaultDirName={autopf}\omaliref
DefaultGroupName=omaliref
DisableProgramGroupPage=yes
; per machine: Program Files and the all-users Start menu, for every coder on the workstation or session host
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=omaliref-{#AppVersion}-setup
SetupIconFile=..\icons\omaliref.ico
UninstallDisplayIcon={app}\omaliref.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Citrix/RDS: no restart, and nothing runs from the installer as the installing admin
CloseApplications=yes
RestartApplications=no

[Files]
Source: "..\..\dist\omaliref\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
; the site config folder: readable by every user, written by IT (inherits ProgramData's permissions)
Name: "{commonappdata}\omaliref"

[Icons]
Name: "{autoprograms}\omaliref"; Filename: "{app}\omaliref.exe"; Comment: "J2357 and look-alike codes: units, waste, claim lines"

[UninstallDelete]
; per-user state and the organization's settings are left alone: the user's data is theirs, the settings are IT's

[Code]
var
  SitePage: TInputDirWizardPage;

function SiteDirParam(): String;
begin
  Result := Trim(ExpandConstant('{param:SITEDIR|}'));
end;

procedure InitializeWizard();
begin
  SitePage := CreateInputDirPage(wpSelectDir, 'Site folder',
    'Where does your organization keep the CMS files for omaliref?',
    'IT puts each quarter''s CMS files (and optionally settings.toml and payers.toml) in one folder, usually a ' +
    'read-only network share. Every coder''s omaliref imports new files from it when it starts. Leave it empty ' +
    'if there is none; it can be set later in ' + ExpandConstant('{commonappdata}') + '\omaliref\settings.toml.',
    False, '');
  SitePage.Add('Site folder (optional):');
  SitePage.Values[0] := SiteDirParam();
end;

function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := (PageID = SitePage.ID) and (SiteDirParam() <> '');
end;

function SiteDir(): String;
begin
  Result := SiteDirParam();
  if Result = '' then
    Result := Trim(SitePage.Values[0]);
end;

function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  { a TOML literal string cannot hold a single quote: refuse it here rather than write a file the app reports }
  if (CurPageID = SitePage.ID) and (Pos('''', SitePage.Values[0]) > 0) then
  begin
    MsgBox('The site folder path cannot contain a single quote ('').', mbError, MB_OK);
    Result := False;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Settings, Folder: String;
  Lines: TArrayOfString;
begin
  if CurStep <> ssPostInstall then
    exit;
  Folder := SiteDir();
  Settings := ExpandConstant('{commonappdata}\omaliref\settings.toml');
  if Folder = '' then
    exit;
  if Pos('''', Folder) > 0 then
  begin
    Log('SITEDIR contains a single quote; settings.toml not written: ' + Folder);
    exit;
  end;
  if FileExists(Settings) then
  begin
    Log('settings.toml exists and is IT''s: not changed; data_folder would have been ' + Folder);
    exit;
  end;
  { UTF-8 (Inno writes a byte-order mark; omaliref reads the file as UTF-8 with or without one); a TOML literal
    string keeps the backslashes of a UNC path as written }
  SetArrayLength(Lines, 2);
  Lines[0] := '# written by the omaliref installer (/SITEDIR); see docs/deploy.md for the other keys';
  Lines[1] := 'data_folder = ''' + Folder + '''';
  if not SaveStringsToUTF8File(Settings, Lines, False) then
    Log('settings.toml could not be written: ' + Settings);
end;
