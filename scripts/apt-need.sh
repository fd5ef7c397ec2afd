# Sourced by the scripts that need a Debian package: `apt_need PROGRAM PACKAGE` installs PACKAGE
# with apt (as root, or through sudo) when PROGRAM is not on the PATH nor in /usr/sbin.
apt_need() {
    if command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; then
        return
    fi
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
