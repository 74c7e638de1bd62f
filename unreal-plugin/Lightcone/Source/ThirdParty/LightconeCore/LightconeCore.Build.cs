// The native client library (liblightcone.so / lightcone.dll, built from the repository's
// ffi crate by scripts/build-unreal-plugin.sh) and its headers: the C ABI (lightcone.h) and
// the header-only C++17 layer over it (lightcone.hpp).
using System.IO;
using UnrealBuildTool;

public class LightconeCore : ModuleRules
{
	public LightconeCore(ReadOnlyTargetRules Target) : base(Target)
	{
		Type = ModuleType.External;
		PublicSystemIncludePaths.Add(Path.Combine(ModuleDirectory, "include"));

		if (Target.Platform == UnrealTargetPlatform.Linux)
		{
			string Library = Path.Combine(ModuleDirectory, "lib", "Linux", "x86_64-unknown-linux-gnu", "liblightcone.so");
			PublicAdditionalLibraries.Add(Library);
			RuntimeDependencies.Add("$(BinaryOutputDir)/liblightcone.so", Library);
		}
		else if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			string LibDir = Path.Combine(ModuleDirectory, "lib", "Win64");
			PublicAdditionalLibraries.Add(Path.Combine(LibDir, "lightcone.lib"));
			PublicDelayLoadDLLs.Add("lightcone.dll");
			RuntimeDependencies.Add("$(BinaryOutputDir)/lightcone.dll", Path.Combine(LibDir, "lightcone.dll"));
		}
	}
}
