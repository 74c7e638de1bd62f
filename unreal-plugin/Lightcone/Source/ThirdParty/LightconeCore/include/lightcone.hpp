// Lightcone's C++17 client layer over the C ABI (lightcone.h), for any C++ engine: RAII
// connections, typed table caches with native delegates, BSATN, errors as values. Header
// only; link the native library (liblightcone.so / lightcone.dll). No exceptions, no RTTI.
// Generated code (`lightcone generate --lang cpp`) builds on it. docs/unreal.md.
#pragma once

#include "lightcone/bsatn.hpp"
#include "lightcone/connection.hpp"
#include "lightcone/delegate.hpp"
#include "lightcone/status.hpp"
#include "lightcone/table.hpp"
#include "lightcone/types.hpp"
