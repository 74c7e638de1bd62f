# lightcone_module(<target> <source>...): a module built to <target>.wasm — C++20, no
# exceptions, warnings on, stripped, the SDK's runtime (src/module.cpp) linked in. Use with
# the toolchain file wasm32-lightcone.cmake, which puts this directory on CMAKE_MODULE_PATH.
#
# LIGHTCONE_OPTIMIZE: `speed` (-O2, the default) or `size` (-Oz). For the transfer sample,
# -O2 is ~13% larger and ~50% faster per call than -Oz (docs/benchmarks.md).
set(LIGHTCONE_OPTIMIZE "speed" CACHE STRING "Optimize C++ modules for speed (-O2) or size (-Oz)")
set_property(CACHE LIGHTCONE_OPTIMIZE PROPERTY STRINGS speed size)

function(lightcone_module target)
    add_executable(${target} ${ARGN} "${LIGHTCONE_SDK_DIR}/src/module.cpp")
    target_include_directories(${target} PRIVATE "${LIGHTCONE_SDK_DIR}/include")
    target_compile_features(${target} PRIVATE cxx_std_20)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF SUFFIX ".wasm")
    if(LIGHTCONE_OPTIMIZE STREQUAL "size")
        target_compile_options(${target} PRIVATE -Oz)
    else()
        target_compile_options(${target} PRIVATE -O2)
    endif()
    target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()
