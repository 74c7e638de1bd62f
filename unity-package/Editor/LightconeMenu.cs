// Editor menu items: where the generated code comes from, and the docs.
using UnityEditor;
using UnityEngine;

namespace Lightcone.Editor
{
    static class LightconeMenu
    {
        [MenuItem("Tools/Lightcone/How to generate code")]
        static void HowToGenerate()
        {
            Debug.Log("Lightcone: generate your module's C# with\n  lightcone generate --lang csharp --out-dir Assets/Lightcone/Generated --project-path <module>\n(or --bin-path module.wasm); re-run it after changing the module.");
        }

        [MenuItem("Tools/Lightcone/Documentation")]
        static void Documentation()
        {
            Application.OpenURL("https://example.invalid/lightcone/docs/unity.md");
        }
    }
}
