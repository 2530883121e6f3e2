#!/usr/bin/env bash
# Run HERE (the CPU machine) before the one device call: stages into .device/ (git-ignored, carried)
# what the GPU machine lacks: the shared HF peer script, pydantic's wheels for its Python 3.12, the
# MobileNetV2 base from the model cache, and the cats-vs-dogs pictures (the package that holds them
# is not there). About 20 MB. Then, with the device tool:
#   run(command="bash bench/device/run.sh", carry=[".device"], timeout_s=560)
# and give the machine back. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
rm -rf .device && mkdir -p .device/peer .device/wheels .device/home/models
cp ../shared/bench/hf_peer_baseline.py .device/peer/
for pkg in pydantic pydantic-core annotated-types typing-inspection; do
  version=$($PY -m pip show "$pkg" | awk '/^Version:/{print $2}')
  $PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .device/wheels "$pkg==$version"
done
home="${AFINAR_HOME:-$HOME/.afinar}"
[ -d "$home/models/mobilenet_v2" ] || $PY -m afinar models pull mobilenet_v2 --accept-license >/dev/null
cp -r "$home/models/mobilenet_v2" .device/home/models/
$PY -m afinar examples cats-dogs .device/cats-dogs >/dev/null
du -sh .device
