// The generated Unreal code's conversions (lightcone generate --lang unreal, for
// server/host/tests/modules/everything), run — not only compiled — against the stand-in
// Unreal types (tests/unreal/stubs; server/tests/unreal_plugin.rs builds it with the plugin's
// LightconeTypes.cpp): every column type goes native → Blueprint struct → native unchanged;
// values Blueprint can hold but the column cannot are refused with the field's name; wide
// integers and times cross as the documented text and ticks.
//
// usage: conversions_test
#include <cstdio>
#include <string>

#include "ModuleDb.h"
#include "../cpp/sample.hpp"

namespace {
int failures = 0;
void check(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
        ++failures;
    }
}
}  // namespace

int main() {
    using namespace Lightcone::Module;
    AllTypes v = sample::all_types();
    v.id = 9;
    v.a_u_64 = 9000000000000000000ull;  // below 2^63: Blueprint's int64 holds it

    FModuleAllTypes ue = FModuleAllTypes::FromNative(v);
    check(ue.AU32 == 4000000000LL && ue.AU16 == 60000 && ue.AI8 == -8 && ue.bB, "integers widen to Blueprint's");
    check(std::string(*ue.AU128) == "0x00000000000000070000000000000063", "a u128 is hex text: " + std::string(*ue.AU128));
    check(ue.Ts.GetTicks() == LightconeTime::UnixEpochTicks + 17000000001234560LL, "a timestamp is FDateTime ticks");
    check(ue.Dur.GetTicks() == -420, "a duration is FTimespan ticks");
    check(ue.Opt.bIsSet && std::string(*ue.Opt.Value) == "some", "an option is a set flag and a value");
    check(ue.Shape.Tag == EModuleShapeTag::Rect && ue.Shape.Rect.H == 4, "a sum is a tag and its variant's field");
    check(ue.Ident.Hex.Len() == 64, "an identity is 64 hex digits");

    AllTypes back;
    FString error;
    check(ue.ToNative(back, error), "back to native: " + std::string(*error));
    check(back == v, "every column survives the round trip");

    // An identity typed in Blueprint (only its hex) reads as the same identity.
    FModuleAllTypes typed = ue;
    typed.Ident = FLightconeIdentity();
    typed.Ident.Hex = ue.Ident.Hex;
    check(typed.ToNative(back, error) && back.ident == v.ident, "an identity from its hex");

    // What Blueprint can hold but the column cannot is refused, naming the field.
    FModulePlayer player = FModulePlayer::FromNative(Player{1, "ann", 1, 7, 3});
    Player native_player;
    player.Level = -1;
    check(!player.ToNative(native_player, error) && std::string(*error).find("Player.Level") != std::string::npos,
          "a negative u32 is refused: " + std::string(*error));
    player.Level = 1;
    player.Badge = 70000;
    check(!player.ToNative(native_player, error) && std::string(*error).find("Player.Badge") != std::string::npos,
          "a u16 above 65535 is refused: " + std::string(*error));
    FModuleAllTypes wide = ue;
    wide.AU128 = FString("0x1" "00000000000000000000000000000000");
    check(!wide.ToNative(back, error) && std::string(*error).find("AU128") != std::string::npos,
          "a u128 of 33 hex digits is refused: " + std::string(*error));
    wide = ue;
    wide.AI8 = 128;
    check(!wide.ToNative(back, error) && std::string(*error).find("AI8") != std::string::npos, "an i8 of 128 is refused");

    if (failures > 0) {
        std::fprintf(stderr, "unreal conversions: %d checks failed\n", failures);
        return 1;
    }
    std::printf("unreal conversions: all checks passed\n");
    return 0;
}
