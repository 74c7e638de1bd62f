// Everything a C++ module includes: `#include <lightcone/module.hpp>`. A module is a set of
// LC_STRUCT types, LC_TABLE declarations and LC_REDUCER functions, built to wasm32 with the
// CMake helpers in cpp-module-sdk/cmake (docs/modules-cpp.md).
#pragma once

#include "bsatn.hpp"
#include "log.hpp"
#include "reducer.hpp"
#include "reflect.hpp"
#include "result.hpp"
#include "serialize.hpp"
#include "table.hpp"
#include "types.hpp"
