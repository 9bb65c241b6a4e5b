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

# Headers (the kernels written once in *_impl.h and instantiated by the .c
# files among them): a change to any rebuilds the extension, which setuptools
# would otherwise skip, leaving a stale module in place.
depends = sorted(glob.glob("src/**/*.h", recursive=True) + glob.glob("include/*.h") + glob.glob("python/spectro/*.h"))

# The CUDA kernels are compiled by CMake (nvcc); SPECTRO_CUDA_LIB names the
# resulting static library (build/libspectro_cuda.a) to link them in.
macros = [("_GNU_SOURCE", None)]
extra_objects, libraries, library_dirs = [], ["m"], []
runtime_dirs = []  # where libcufft is found at run time
cuda_lib = os.environ.get("SPECTRO_CUDA_LIB")
if cuda_lib:
    cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    macros.append(("SPECTRO_HAVE_CUDA", None))
    extra_objects.append(os.path.abspath(cuda_lib))
    libraries += ["cufft", "cudart_static", "dl", "rt", "pthread", "stdc++"]
    library_dirs += [os.path.join(cuda_home, "lib64"), os.path.join(cuda_home, "targets/x86_64-linux/lib")]
    runtime_dirs += [os.path.join(cuda_home, "lib64"), os.path.join(cuda_home, "targets/x86_64-linux/lib")]

setup(
    ext_modules=[
        Extension(
            "spectro._spectro",
            sources=sources,
            depends=depends,
            include_dirs=["include"],
            define_macros=macros,
            extra_compile_args=["-std=c11", "-O3", "-fvisibility=hidden"],
            extra_objects=extra_objects,
            runtime_library_dirs=runtime_dirs,
            libraries=libraries,
            library_dirs=library_dirs,
        )
    ]
)
