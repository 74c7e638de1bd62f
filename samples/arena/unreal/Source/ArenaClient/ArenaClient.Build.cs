// The arena sample's game module: UArenaComponent (Blueprint-facing) over arena::Game
// (Public/ArenaGame.hpp, engine-agnostic) and the module's generated C++ code, which
// `lightcone generate --lang cpp --out-dir Source/ArenaClient/Generated --project-path
// samples/arena/module-rust` writes (Generated/Module.g.hpp).
using System.IO;
using UnrealBuildTool;

public class ArenaClient : ModuleRules
{
	public ArenaClient(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
		// The plugin's C++ layer needs C++17 and uses neither exceptions nor RTTI (UE's defaults).
		CppStandard = CppStandardVersion.Cpp17;
		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "Lightcone", "LightconeCore" });
		PublicIncludePaths.Add(Path.Combine(ModuleDirectory, "Generated"));
	}
}
