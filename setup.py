"""Builds the spectro extension: the C library's sources compiled straight
into the module, so `pip install .` needs no prior CMake build or shared
library on the loader path.  Metadata lives in pyproject.toml."""
import glob
import os

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
os.chdir(here)  # setuptools wants relative source paths

sources = ["python/spectro/_spectro.c"] + sorted(
    p for p in glob.glob("src/**/*.c", recursive=True) if "/cuda/" not in p
)

setup(
    ext_modules=[
        Extension(
            "spectro._spectro",
            sources=sources,
            include_dirs=["include"],
            define_macros=[("_GNU_SOURCE", None)],
            extra_compile_args=["-std=c11", "-O3", "-fvisibility=hidden"],
            libraries=["m"],
        )
    ]
)
