#!/usr/bin/env bash
# Run HERE (the CPU machine) before the one device call: stages into .device/ (git-ignored, carried)
# what the GPU machine lacks: the shared HF peer script, wheels for its Python 3.12 (pydantic,
# msgspec, orjson, bitsandbytes), the MobileNetV2 base from the model cache, and the cats-vs-dogs
# pictures (the package that holds them is not there). About 60 MB. Then, with the device tool:
#   run(command="bash bench/device/run.sh", carry=[".device"], timeout_s=590)
# and give the machine back. See docs/benchmarks.md ("GPU rows: the prepared call").
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
rm -rf .device && mkdir -p .device/peer .device/wheels .device/home/models
cp ../shared/bench/hf_peer_baseline.py .device/peer/
# pydantic (configs), msgspec and orjson (the data checks), bitsandbytes (QLoRA, 43 MB: NO_QLORA=1 skips it)
pkgs="pydantic pydantic-core annotated-types typing-inspection msgspec orjson"
[ "${NO_QLORA:-0}" = 1 ] || pkgs="$pkgs bitsandbytes"
for pkg in $pkgs; do
  version=$($PY -m pip show "$pkg" | awk '/^Version:/{print $2}')
  $PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .device/wheels "$pkg==$version"
done
home="${AFINAR_HOME:-$HOME/.afinar}"
[ -d "$home/models/mobilenet_v2" ] || $PY -m afinar models pull mobilenet_v2 --accept-license >/dev/null
cp -r "$home/models/mobilenet_v2" .device/home/models/
$PY -m afinar examples cats-dogs .device/cats-dogs >/dev/null
du -sh .device
echo "with the repo, what travels must stay under 64 MiB: $(( ($(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) + $(du -sb .device | cut -f1)) / 1048576 )) MiB"
