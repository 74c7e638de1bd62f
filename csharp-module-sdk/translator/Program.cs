// lctrans: translates a C# program or module, compiled to IL against Lightcone's corlib, into
// one C file (csharp-module-sdk/README.md).
//
//   mono lctrans.exe --corlib mscorlib.dll [--reference A.dll ...] --out out.c --main Program.exe
//
// `--main` translates what the assembly's entry point reaches and adds a C `main`. Errors are
// printed as `file:line: in Method(...): what is not supported` and exit with status 2.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mono.Cecil;

namespace Lightcone.Translator
{
    /// Resolves assembly references to exactly the files given on the command line.
    sealed class FileResolver : IAssemblyResolver
    {
        readonly Dictionary<string, AssemblyDefinition> byName = new Dictionary<string, AssemblyDefinition>();

        public void Add(AssemblyDefinition a) { byName[a.Name.Name] = a; }

        public AssemblyDefinition Resolve(AssemblyNameReference name) { return Resolve(name, null); }

        public AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters)
        {
            AssemblyDefinition a;
            if (byName.TryGetValue(name.Name, out a)) return a;
            throw new BuildError("the assembly references " + name.Name + ", which is not part of Lightcone's C# subset (only the corlib and the module's own assemblies can be used)");
        }

        public void Dispose() { }
    }

    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length > 1 && args[0] == "--glue")
            {
                // --glue out.cs source.cs...: the ctx.Db glue from the sources' [Table] structs.
                var sources = args.Skip(2).Select(File.ReadAllText).ToList();
                File.WriteAllText(args[1], TableScanner.Glue(TableScanner.Scan(sources)));
                return 0;
            }
            string corlib = null, output = null, main = null, module = null;
            var references = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                string next = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--corlib": corlib = next; i++; break;
                    case "--out": output = next; i++; break;
                    case "--main": main = next; i++; break;
                    case "--module": module = next; i++; break;
                    case "--reference": references.Add(next); i++; break;
                    default:
                        Console.Error.WriteLine("lctrans: unknown argument " + args[i]);
                        return 2;
                }
            }
            if (corlib == null || output == null || (main == null) == (module == null))
            {
                Console.Error.WriteLine("usage: lctrans --corlib mscorlib.dll [--reference A.dll] --out out.c (--main Program.exe | --module Module.dll)\n       lctrans --glue Glue.cs Source.cs...");
                return 2;
            }
            try
            {
                var resolver = new FileResolver();
                var parameters = new ReaderParameters { AssemblyResolver = resolver };
                AssemblyDefinition core = AssemblyDefinition.ReadAssembly(corlib, parameters);
                resolver.Add(core);
                foreach (string r in references) resolver.Add(AssemblyDefinition.ReadAssembly(r, parameters));
                if (module != null)
                {
                    AssemblyDefinition lib = AssemblyDefinition.ReadAssembly(module, parameters);
                    resolver.Add(lib);
                    var mt = new Translator(core.MainModule);
                    File.WriteAllText(output, mt.TranslateModule(lib.MainModule));
                    return 0;
                }
                AssemblyDefinition program = AssemblyDefinition.ReadAssembly(main, parameters);
                resolver.Add(program);
                MethodDefinition entry = program.EntryPoint;
                if (entry == null) throw new BuildError(main + " has no entry point (static Main)");
                var tr = new Translator(core.MainModule);
                TypeInfo declaring = tr.Types.Get(entry.DeclaringType);
                MethodInst m = tr.Types.Method(entry, declaring, null);
                if (entry.Parameters.Count == 1) tr.RequireDescriptor(tr.Types.Get(new ArrayType(tr.Types.CorlibType("System", "String"))));
                string c = tr.Translate(new[] { m }, m);
                File.WriteAllText(output, c);
                return 0;
            }
            catch (BuildError e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 2;
            }
            catch (Exception e)
            {
                // A bug of the translator, or an assembly it cannot read: say so plainly.
                Console.Error.WriteLine("error: the translator failed (" + e.GetType().Name + "): " + e.Message);
                return 3;
            }
        }
    }
}
