# lightcone_module(<target> <source>...): a module built to <target>.wasm — C++20, -Oz,
# no exceptions, warnings on, the SDK's runtime (src/module.cpp) linked in. Use with the
# toolchain file wasm32-lightcone.cmake, which puts this directory on CMAKE_MODULE_PATH.
function(lightcone_module target)
    add_executable(${target} ${ARGN} "${LIGHTCONE_SDK_DIR}/src/module.cpp")
    target_include_directories(${target} PRIVATE "${LIGHTCONE_SDK_DIR}/include")
    target_compile_features(${target} PRIVATE cxx_std_20)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF SUFFIX ".wasm")
    target_compile_options(${target} PRIVATE -Oz -Wall -Wextra)
endfunction()
