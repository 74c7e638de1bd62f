#include "LightconeModule.h"

#include "lightcone.hpp"

DEFINE_LOG_CATEGORY(LogLightcone);

void FLightconeModule::StartupModule()
{
	// The headers and the library must agree on the event batch layout.
	if (lc_batch_version() != LC_BATCH_VERSION)
	{
		UE_LOG(LogLightcone, Error, TEXT("the Lightcone library writes event batch version %u, the headers expect %u: rebuild the plugin"),
			lc_batch_version(), static_cast<uint32>(LC_BATCH_VERSION));
	}
}

void FLightconeModule::ShutdownModule()
{
}

IMPLEMENT_MODULE(FLightconeModule, Lightcone)
