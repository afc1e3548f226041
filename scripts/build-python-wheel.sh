#!/usr/bin/env bash
# Builds the Python wheel (build/packages/python/cdk8s_mlops-<version>-py3-none-any.whl) from the compiled package,
# without PyPI: jsii-pacmak generates the Python sources, and Debian's python3 with python3-setuptools, python3-wheel
# and python3-pip builds them (`jsii-pacmak --target python` would install setuptools and build from PyPI).
# Run `npx projen compile && npx projen post-compile` first.
set -euo pipefail
cd "$(dirname "$0")/.."

python=/usr/bin/python3
if ! "$python" -c 'import setuptools, wheel, pip' 2>/dev/null; then
  echo "build-python-wheel: needs Debian's python3 with setuptools, wheel and pip: apt-get install python3-setuptools python3-wheel python3-pip" >&2
  exit 1
fi

sources=build/python-sources
rm -rf "$sources" build/packages/python
npx jsii-pacmak --target python --code-only --outdir "$sources"
"$python" -m pip wheel --quiet --no-build-isolation --no-deps --no-index --wheel-dir build/packages/python "$sources/python"
ls build/packages/python/*.whl
