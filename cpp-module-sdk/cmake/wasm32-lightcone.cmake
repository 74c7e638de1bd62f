# CMake toolchain file: C++20 modules for Lightcone (and SpacetimeDB 2.x) as wasm32, with
# the compiler and libraries a distribution packages (Debian/Ubuntu: clang-19 lld-19
# wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32).
#
#   cmake -S my-module -B build -DCMAKE_TOOLCHAIN_FILE=<sdk>/cmake/wasm32-lightcone.cmake
#   cmake --build build        # -> build/<target>.wasm
#
# In CMakeLists.txt: `include(LightconeModule)` then `lightcone_module(<target> <sources>)`.
# `lightcone build <dir>` runs exactly this. Override the paths below with -D... if your
# distribution puts them elsewhere.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

set(LIGHTCONE_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." CACHE PATH "The Lightcone C++ module SDK")
set(LIGHTCONE_WASI_SYSROOT "/usr" CACHE PATH "Where include/wasm32-wasi and lib/wasm32-wasi are")
list(APPEND CMAKE_MODULE_PATH "${LIGHTCONE_SDK_DIR}/cmake")

find_program(LIGHTCONE_CLANGXX NAMES clang++-19 clang++ REQUIRED)
set(CMAKE_CXX_COMPILER "${LIGHTCONE_CLANGXX}")
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_SYSROOT "${LIGHTCONE_WASI_SYSROOT}")
set(CMAKE_CXX_FLAGS_INIT "-isystem ${LIGHTCONE_WASI_SYSROOT}/include/wasm32-wasi/c++/v1 -fno-exceptions -mbulk-memory")
# A reactor runs static constructors (where LC_TABLE and LC_REDUCER register) in _initialize;
# host functions are imports, resolved when the host instantiates the module.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-mexec-model=reactor -Wl,--allow-undefined -Wl,--strip-all")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
