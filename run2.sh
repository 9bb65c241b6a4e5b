#!/usr/bin/env bash
export QUICK_ONLY=stft
bash bench/variants/variants.sh QM:SPECTRO_ISTFT_Q_BLOCKS_256T=5,SPECTRO_ISTFT_Q_BLOCKS_H1024=3 R1:SPECTRO_ISTFT_ROUNDS=1 2>&1 | tee $OUT/variants.log
python3 -m pip install -q --no-deps --target /tmp/site .whl/*.whl > /dev/null 2>&1
PYTHONPATH=python:/tmp/site timeout 300 python3 -m pytest -q -x -p no:cacheprovider tests/python/test_cuda.py 2>&1 | tail -3
