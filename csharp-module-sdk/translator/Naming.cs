// C identifiers for types, methods and fields, and the names users and the CLR see.
using System.Collections.Generic;
using System.Text;
using Mono.Cecil;

namespace Lightcone.Translator
{
    public static class Naming
    {
        /// `s` with every character C does not allow in an identifier replaced.
        public static string Sanitize(string s)
        {
            var b = new StringBuilder(s.Length);
            foreach (char c in s)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) b.Append(c);
                else if (c == '.' || c == '/' || c == '+') b.Append('_');
                else if (c == '<' || c == '[') b.Append("_L");
                else if (c == '>' || c == ']') b.Append("_J");
                else if (c == ',') b.Append("_C");
                else if (c == '`') b.Append("_G");
                else if (c == '&') b.Append("_R");
                else if (c == '*') b.Append("_P");
                else b.Append('_');
            }
            return b.ToString();
        }

        /// FNV-1a of `s`, 8 hex digits: keeps overloads apart in C names.
        public static string Hash(string s)
        {
            uint h = 2166136261;
            foreach (char c in s)
            {
                h ^= c;
                h *= 16777619;
            }
            return h.ToString("x8");
        }

        /// The type's name as the CLR prints it (`Object.ToString`): `Ns.Outer+Inner`,
        /// `System.Collections.Generic.List`1[System.Int32]`.
        public static string ClrName(TypeReference t)
        {
            var git = t as GenericInstanceType;
            if (git != null)
            {
                var b = new StringBuilder(ClrName(git.ElementType));
                b.Append('[');
                for (int i = 0; i < git.GenericArguments.Count; i++)
                {
                    if (i > 0) b.Append(',');
                    b.Append(ClrName(git.GenericArguments[i]));
                }
                b.Append(']');
                return b.ToString();
            }
            var array = t as ArrayType;
            if (array != null) return ClrName(array.ElementType) + "[]";
            if (t.IsNested) return ClrName(t.DeclaringType) + "+" + t.Name;
            return string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name;
        }

        /// A method as an error message names it: `Ns.Type.Method(int, string)`.
        public static string Display(MethodReference m)
        {
            var b = new StringBuilder();
            b.Append(ClrName(m.DeclaringType)).Append('.').Append(m.Name).Append('(');
            for (int i = 0; i < m.Parameters.Count; i++)
            {
                if (i > 0) b.Append(", ");
                b.Append(m.Parameters[i].ParameterType.Name);
            }
            return b.Append(')').ToString();
        }
    }
}
