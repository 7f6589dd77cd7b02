#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The project's test command: installs the Python reference packages the differential tests
# compare against, builds the release `secure-api` that the handshake flood test starts, then
# runs the whole `swift test` suite with those tests required (they fail rather than skip if
# Python's `cryptography` cannot be imported).
#
# Usage: Scripts/test.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python=${SECURE_API_PYTHON:-python3}
if ! "$python" -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt; then
  # Debian's own Python refuses global installs (PEP 668); this project's tests need them.
  "$python" -m pip install --quiet --disable-pip-version-check --break-system-packages \
    -r Tests/requirements.txt
fi

# The handshake flood test runs against an optimized server, as deployed.
swift build -c release --product secure-api
export SECURE_API_RELEASE_BINARY="$(swift build -c release --show-bin-path)/secure-api"

export SECURE_API_REQUIRE_PYTHON=1
exec swift test "$@"
