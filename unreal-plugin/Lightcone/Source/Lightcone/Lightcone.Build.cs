// The plugin's runtime module: the UE glue (subsystem, connection UObject, Blueprint types)
// over the engine-agnostic C++ layer and native library of the LightconeCore ThirdParty module.
using UnrealBuildTool;

public class Lightcone : ModuleRules
{
	public Lightcone(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
		// The C++ layer needs C++17 and uses neither exceptions nor RTTI (UE's defaults).
		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "LightconeCore" });
	}
}
