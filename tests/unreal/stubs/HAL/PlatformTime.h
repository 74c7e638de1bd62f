// Stand-in (tests only): see CoreMinimal.h.
#pragma once
#include "CoreMinimal.h"

struct FPlatformTime
{
	/// Seconds on a steady clock.
	static double Seconds() { return 0; }
};
