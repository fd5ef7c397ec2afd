# Sourced by the scripts that need a Debian package. `apt_install PACKAGE` installs it with apt
# (as root, or through sudo); `apt_need PROGRAM PACKAGE` does so only when PROGRAM is neither on
# the PATH nor in /usr/sbin.
apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

apt_need() {
    if command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; then
        return
    fi
    apt_install "$2"
}
