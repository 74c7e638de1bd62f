// Stand-in (tests only): see CoreMinimal.h.
#pragma once
#include "CoreMinimal.h"
