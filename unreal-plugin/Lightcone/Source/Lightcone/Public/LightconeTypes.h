// Blueprint-safe forms of the client's types: an identity as its hex text, the connection's
// state, and conversions between FString and the C++ layer's UTF-8 std::string. Blueprint has
// no unsigned 16/32/64-bit integers, so wider unsigned values cross as int64 with range checks
// (LightconeRange), and 128/256-bit ones as hex strings.
#pragma once

#include "CoreMinimal.h"

#include <limits>
#include <string>

#include "lightcone.hpp"

#include "LightconeTypes.generated.h"

UENUM(BlueprintType)
enum class ELightconeConnectionState : uint8
{
	Connecting,
	Connected,
	Reconnecting,
	Closed
};

/// Who someone is: 256 bits, as 64 hex digits (most significant first, as the server shows it).
USTRUCT(BlueprintType)
struct LIGHTCONE_API FLightconeIdentity
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Lightcone")
	FString Hex;

	lightcone::Identity Native;

	static FLightconeIdentity FromNative(const lightcone::Identity& Identity)
	{
		FLightconeIdentity Out;
		Out.Native = Identity;
		Out.Hex = UTF8_TO_TCHAR(Identity.to_hex().c_str());
		return Out;
	}

	bool operator==(const FLightconeIdentity& Other) const { return Native == Other.Native; }
};

namespace LightconeText
{
	/// UTF-8 for the C++ layer.
	inline std::string ToUtf8(const FString& Text) { return std::string(TCHAR_TO_UTF8(*Text)); }
	/// An FString from the C++ layer's UTF-8.
	inline FString FromUtf8(const std::string& Text) { return FString(UTF8_TO_TCHAR(Text.c_str())); }
}

namespace LightconeRange
{
	/// `Value` as an unsigned column of `MaxValue`: false (and nothing set) when it does not fit.
	template <class T>
	bool ToUnsigned(int64 Value, T& Out)
	{
		if (Value < 0 || static_cast<uint64>(Value) > static_cast<uint64>(std::numeric_limits<T>::max())) return false;
		Out = static_cast<T>(Value);
		return true;
	}
}
