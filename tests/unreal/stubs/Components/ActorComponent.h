// Stand-in (tests only): see CoreMinimal.h. UActorComponent as the arena sample's component
// (samples/arena/unreal) uses it.
#pragma once
#include "CoreMinimal.h"

namespace EEndPlayReason
{
enum Type
{
	Destroyed,
	LevelTransition,
	EndPlayInEditor,
	RemovedFromWorld,
	Quit
};
}

enum ELevelTick
{
	LEVELTICK_TimeOnly,
	LEVELTICK_ViewportsOnly,
	LEVELTICK_All,
	LEVELTICK_PauseTick
};

struct FActorComponentTickFunction
{
	bool bCanEverTick = false;
};

class UActorComponent : public UObject
{
public:
	using Super = UActorComponent;
	FActorComponentTickFunction PrimaryComponentTick;
	virtual void BeginPlay() {}
	virtual void EndPlay(const EEndPlayReason::Type) {}
	virtual void TickComponent(float, ELevelTick, FActorComponentTickFunction*) {}
};
