// Stand-in (tests only): see CoreMinimal.h.
#pragma once
#include "CoreMinimal.h"

class IModuleInterface
{
public:
	virtual ~IModuleInterface() = default;
	virtual void StartupModule() {}
	virtual void ShutdownModule() {}
};

class FDefaultModuleImpl : public IModuleInterface
{
};
class FDefaultGameModuleImpl : public FDefaultModuleImpl
{
};

#define IMPLEMENT_MODULE(Class, Name) \
	IModuleInterface* LightconeStubCreate##Name() { return new Class(); }
