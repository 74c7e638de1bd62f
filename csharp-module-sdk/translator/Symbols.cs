// Source lines of IL offsets, from the .mdb files mcs writes with -debug
// (Mono.CompilerServices.SymbolWriter reads them).
using System.Collections.Generic;
using System.IO;
using Mono.Cecil;
using Mono.CompilerServices.SymbolWriter;

namespace Lightcone.Translator
{
    public sealed class Symbols
    {
        readonly Dictionary<string, MonoSymbolFile> files = new Dictionary<string, MonoSymbolFile>();

        MonoSymbolFile For(ModuleDefinition module)
        {
            string path = module.FileName + ".mdb";
            MonoSymbolFile file;
            if (files.TryGetValue(path, out file)) return file;
            file = null;
            if (File.Exists(path))
            {
                try { file = MonoSymbolFile.ReadSymbolFile(path); }
                catch (System.Exception) { file = null; }
            }
            files[path] = file;
            return file;
        }

        /// The source file and line of IL `offset` in `method` (null file if unknown).
        public SourcePlace Place(MethodDefinition method, int offset)
        {
            var place = new SourcePlace { Method = Naming.Display(method) };
            MonoSymbolFile file = method.Module == null ? null : For(method.Module);
            if (file == null) return place;
            MethodEntry entry = file.GetMethodByToken(method.MetadataToken.ToInt32());
            if (entry == null) return place;
            LineNumberEntry best = null;
            foreach (LineNumberEntry line in entry.GetLineNumberTable().LineNumbers)
            {
                if (line.Row <= 0 || line.IsHidden) continue;
                if (line.Offset <= offset && (best == null || line.Offset >= best.Offset)) best = line;
            }
            if (best == null) return place;
            SourceFileEntry source = file.GetSourceFile(best.File);
            place.File = source == null ? null : source.FileName;
            place.Line = best.Row;
            return place;
        }
    }
}
