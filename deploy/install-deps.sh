#!/usr/bin/env bash
# Installs the Debian 12 packages batchd needs to build, test and run — only those missing, so
# a second run is quick and needs no network. Runs as root, or through sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev libboost-dev libboost-filesystem-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev postgresql
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libhowardhinnant-date-dev tzdata libssl-dev
  # Image jobs and their tests: rootful podman with runc (crun 1.8 refuses some hybrid cgroup
  # layouts), its default bridge network, and the static busybox the test image is made of.
  podman runc containernetworking-plugins iptables busybox-static
)

missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

if [[ $EUID -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}); run as root or install sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  --no-install-recommends "${missing[@]}"
