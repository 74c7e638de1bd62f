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

	/// The identity `Hex` names (set from Blueprint) or the one it came from; false when
	/// `Hex` is not 64 hex digits.
	bool ToNative(lightcone::Identity& Out) const;

	bool operator==(const FLightconeIdentity& Other) const { return Native == Other.Native; }
};

/// SpacetimeDB's ScheduleAt: every `Interval`, or once at `Time`.
USTRUCT(BlueprintType)
struct LIGHTCONE_API FLightconeScheduleAt
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadWrite, Category = "Lightcone")
	bool bIsInterval = true;

	UPROPERTY(BlueprintReadWrite, Category = "Lightcone")
	FTimespan Interval;

	UPROPERTY(BlueprintReadWrite, Category = "Lightcone")
	FDateTime Time;

	static FLightconeScheduleAt FromNative(const lightcone::ScheduleAt& Native);
	lightcone::ScheduleAt ToNative() const;
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
	/// `Value` (a Blueprint integer) as a column of type T: false, and `Out` unchanged, when it
	/// does not fit.
	template <class T, class V>
	bool Fit(V Value, T& Out)
	{
		if (Value < 0)
		{
			if (!std::numeric_limits<T>::is_signed || static_cast<int64>(Value) < static_cast<int64>(std::numeric_limits<T>::min()))
			{
				return false;
			}
		}
		else if (static_cast<uint64>(Value) > static_cast<uint64>(std::numeric_limits<T>::max()))
		{
			return false;
		}
		Out = static_cast<T>(Value);
		return true;
	}
}

/// 128- and 256-bit integers cross Blueprint as "0x" and 32 or 64 hex digits
/// (lightcone::to_hex / from_hex).
namespace LightconeWide
{
	template <class T>
	FString ToHex(const T& Value) { return LightconeText::FromUtf8(lightcone::to_hex(Value)); }
	/// False when `Text` is not hex digits that fit the type.
	template <class T>
	bool FromHex(const FString& Text, T& Out) { return lightcone::from_hex(LightconeText::ToUtf8(Text), Out); }
}

/// Timestamps as FDateTime (100 ns ticks since year 1) and durations as FTimespan; the
/// microseconds the server keeps convert exactly.
namespace LightconeTime
{
	/// FDateTime's ticks at the Unix epoch.
	constexpr int64 UnixEpochTicks = 621355968000000000LL;
	inline FDateTime ToDateTime(const lightcone::Timestamp& T) { return FDateTime(UnixEpochTicks + T.micros_since_epoch * 10); }
	inline lightcone::Timestamp FromDateTime(const FDateTime& T) { return lightcone::Timestamp{(T.GetTicks() - UnixEpochTicks) / 10}; }
	inline FTimespan ToTimespan(const lightcone::TimeDuration& D) { return FTimespan(D.micros * 10); }
	inline lightcone::TimeDuration FromTimespan(const FTimespan& D) { return lightcone::TimeDuration{D.GetTicks() / 10}; }
}

/// Element-wise conversions generated code uses.
namespace LightconeConvert
{
	inline TArray<uint8> Bytes(const std::vector<uint8_t>& In)
	{
		TArray<uint8> Out;
		Out.Reserve(static_cast<int32>(In.size()));
		for (uint8_t B : In)
		{
			Out.Add(B);
		}
		return Out;
	}

	inline std::vector<uint8_t> Bytes(const TArray<uint8>& In)
	{
		std::vector<uint8_t> Out;
		Out.reserve(static_cast<size_t>(In.Num()));
		for (uint8 B : In)
		{
			Out.push_back(B);
		}
		return Out;
	}

	template <class To, class From, class Each>
	TArray<To> Array(const std::vector<From>& In, Each Convert)
	{
		TArray<To> Out;
		Out.Reserve(static_cast<int32>(In.size()));
		for (const From& Item : In)
		{
			Out.Add(Convert(Item));
		}
		return Out;
	}
}
