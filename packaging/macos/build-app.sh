#!/bin/sh
# macOS: the app bundle (PyInstaller's BUNDLE step of packaging/omaliref.spec), a disk image for one Mac and an
# installer package for a per-machine install through MDM. NOT RUN YET: written from the PyInstaller, codesign,
# hdiutil and pkgbuild manuals; see docs/deploy.md, "What was run where".
#
#   sh packaging/macos/build-app.sh            # ad-hoc signed: runs on the Mac that built it
#   SIGN_ID="Developer ID Application: …" INSTALLER_ID="Developer ID Installer: …" sh packaging/macos/build-app.sh
#
# The site folder is not part of the package: MDM deploys /Library/Application Support/omaliref/settings.toml
# (data_folder = '/Volumes/omaliref' or another mounted share) beside it, as docs/deploy.md describes.
set -eu
cd "$(dirname "$0")/../.."
VENV=${OMALIREF_VENV:-.venv}
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q -e ".[package]"; }
VERSION=$("$VENV/bin/python" -c 'import omaliref; print(omaliref.__version__)')

rm -rf dist/omaliref dist/omaliref.app build/pyinstaller
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/omaliref.spec
APP=dist/omaliref.app
[ -d "$APP" ] || { echo "build-app: $APP was not built" >&2; exit 1; }

# The frozen app must start and answer before anything is signed or shipped.
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/omaliref" --state-dir build/frozen-state --smoke-test
"$APP/Contents/MacOS/omaliref" --state-dir build/frozen-state search xolair >/dev/null

# Sign inside out (--deep is deprecated for signing); hardened runtime for notarization.
SIGN_ID=${SIGN_ID:--}
find "$APP/Contents" -type f \( -name '*.so' -o -name '*.dylib' \) -exec codesign --force --timestamp=none \
  --options runtime --sign "$SIGN_ID" {} +
find "$APP/Contents/Frameworks" -type d -name '*.framework' -prune -exec codesign --force --timestamp=none \
  --options runtime --sign "$SIGN_ID" {} + 2>/dev/null || true
codesign --force --options runtime --sign "$SIGN_ID" "$APP"
codesign --verify --strict --verbose=2 "$APP"

# One Mac: a disk image to drag the app to /Applications.
hdiutil create -volname "omaliref $VERSION" -srcfolder "$APP" -ov -format UDZO "dist/omaliref-$VERSION.dmg"

# Many Macs: a component package installing to /Applications for all users (MDM: Jamf, Intune, Kandji).
if [ -n "${INSTALLER_ID:-}" ]; then
  pkgbuild --component "$APP" --install-location /Applications --version "$VERSION" \
    --identifier org.omaliref.app --sign "$INSTALLER_ID" "dist/omaliref-$VERSION.pkg"
else
  pkgbuild --component "$APP" --install-location /Applications --version "$VERSION" \
    --identifier org.omaliref.app "dist/omaliref-$VERSION.pkg"
fi

# Notarization needs an Apple account; with one (not done here):
#   xcrun notarytool submit "dist/omaliref-$VERSION.pkg" --keychain-profile omaliref --wait
#   xcrun stapler staple "dist/omaliref-$VERSION.pkg"
echo "build-app: dist/omaliref-$VERSION.dmg and dist/omaliref-$VERSION.pkg"
