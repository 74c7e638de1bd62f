// The every-type row both C++ tests use (cpp/everything_test.cpp sends it through the
// server; ue/conversions_test.cpp through the generated Unreal conversions): a value in every
// column, with each integer near its type's edge.
#pragma once

#include <string>

#include "Module.g.hpp"

namespace sample {

inline Lightcone::Module::AllTypes all_types() {
    using namespace Lightcone::Module;
    AllTypes v;
    v.b = true;
    v.a_i_8 = -8;
    v.a_u_8 = 200;
    v.a_i_16 = -1600;
    v.a_u_16 = 60000;
    v.a_i_32 = -320000;
    v.a_u_32 = 4000000000u;
    v.a_i_64 = -6400000000000;
    v.a_u_64 = 18000000000000000000ull;
    v.a_i_128 = lightcone::I128{-2, 12345};
    v.a_u_128 = lightcone::U128{7, 99};
    v.a_i_256 = lightcone::I256{lightcone::U128{1, 2}, lightcone::U128{3, 4}};
    v.a_u_256 = lightcone::U256{lightcone::U128{5, 6}, lightcone::U128{7, 8}};
    v.a_f_32 = 1.5f;
    v.a_f_64 = -2.25;
    v.s = "h\xc3\xa9llo \xe2\x9c\x93";
    v.bytes = {0, 1, 254, 255};
    v.list = {-1, 0, 1, 2147483647};
    v.opt = std::string("some");
    v.ident = lightcone::Identity{lightcone::U256{lightcone::U128{9, 10}, lightcone::U128{11, 12}}};
    v.conn = lightcone::ConnectionId{lightcone::U128{13, 14}};
    v.ts = lightcone::Timestamp{1700000000123456};
    v.dur = lightcone::TimeDuration{-42};
    v.shape = Shape::make_rect(Size{3, 4});
    v.color = Color::Blue;
    return v;
}

}  // namespace sample
