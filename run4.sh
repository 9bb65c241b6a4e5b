#!/usr/bin/env bash
export QUICK_ONLY=stft
bash bench/variants/variants.sh P0:SPECTRO_ISTFT_PIPELINE=0 R3:SPECTRO_ISTFT_ROUNDS=3 HEAD:@exp/head 2>&1 | tee $OUT/variants.log
python3 -m pip install -q --no-deps --target /tmp/site .whl/*.whl > /dev/null 2>&1
PYTHONPATH=python:/tmp/site timeout 300 python3 -m pytest -q -x -p no:cacheprovider tests/python/test_cuda.py 2>&1 | tail -3
