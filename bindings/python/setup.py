"""Builds the tokenbridge wheel with the native library inside (see build-wheel.sh).

The package's metadata lives in pyproject.toml; this file only makes the wheel a
platform wheel: it copies the prebuilt library (``TOKENBRIDGE_WHEEL_LIBRARY``, else
``target/release/`` of this repository) into the ``tokenbridge`` package and tags the
wheel ``py3-none-<platform>`` (ctypes: any Python 3, no CPython ABI). build-wheel.sh
then turns ``linux_x86_64`` into a ``manylinux`` tag with auditwheel.
"""

import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:  # older setuptools: the wheel package's command
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

ENV_VAR = "TOKENBRIDGE_WHEEL_LIBRARY"
# A cross build's platform tag (build-wheel.sh --target): win_amd64, linux_aarch64.
PLATFORM_VAR = "TOKENBRIDGE_WHEEL_PLATFORM"
HERE = Path(__file__).resolve().parent

if sys.platform == "win32":
    LIBRARY_FILE = "tokenbridge.dll"
elif sys.platform == "darwin":
    LIBRARY_FILE = "libtokenbridge.dylib"
else:
    LIBRARY_FILE = "libtokenbridge.so"


def native_library() -> Path:
    explicit = os.environ.get(ENV_VAR)
    path = Path(explicit) if explicit else HERE.parent.parent / "target" / "release" / LIBRARY_FILE
    if not path.is_file():
        raise SystemExit(
            "tokenbridge: the native library {} was not found. Build the wheel with "
            "`bash bindings/python/build-wheel.sh` (it runs `cargo build --release --lib` "
            "first), or set {} to the library's full path.".format(path, ENV_VAR)
        )
    return path


class BuildPyWithLibrary(build_py):
    """Copies the native library into the built package, next to _native.py."""

    def run(self) -> None:
        super().run()
        source = native_library()
        # The library's own name: tokenbridge.dll in a cross-built Windows wheel.
        target = Path(self.build_lib) / "tokenbridge" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.announce("copying {} -> {}".format(source, target), level=2)
        shutil.copyfile(str(source), str(target))  # the file, not a symlink
        os.chmod(str(target), 0o755)


class PlatformWheel(bdist_wheel):
    """A platform wheel for any Python 3: ``py3-none-<platform>``."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):  # type: ignore[no-untyped-def]
        _, _, plat = super().get_tag()
        return "py3", "none", os.environ.get(PLATFORM_VAR) or plat


class BinaryDistribution(Distribution):
    def has_ext_modules(self) -> bool:
        return True


setup(
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
