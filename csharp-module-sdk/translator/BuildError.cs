// A construct the translator does not support: reported at build time with the method and
// the source line, never left to trap at run time.
using System;

namespace Lightcone.Translator
{
    public sealed class BuildError : Exception
    {
        public BuildError(string message) : base(message) { }
    }

    /// Where an error happened: `file:line` and the method, for the message a user sees.
    public struct SourcePlace
    {
        public string File;
        public int Line;
        public string Method;

        public override string ToString()
        {
            string where = File != null ? File + ":" + Line + ": " : "";
            return where + "in " + Method;
        }
    }
}
