// System.Random over xoshiro128** (not .NET's algorithm: the same seed gives other numbers
// than on .NET, but the same numbers on every run here).

namespace System
{
    public class Random
    {
        uint s0, s1, s2, s3;

        public Random() : this(12345) { }

        public Random(int seed)
        {
            ulong x = (ulong)(uint)seed;
            s0 = Mix(ref x); s1 = Mix(ref x); s2 = Mix(ref x); s3 = Mix(ref x);
        }

        static uint Mix(ref ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            ulong z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (uint)((z ^ (z >> 31)) >> 16);
        }

        uint NextUInt()
        {
            uint result = Rotl(s1 * 5, 7) * 9;
            uint t = s1 << 9;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = Rotl(s3, 11);
            return result;
        }

        static uint Rotl(uint x, int k) { return (x << k) | (x >> (32 - k)); }

        /// A non-negative int below int.MaxValue.
        public virtual int Next() { return (int)(NextUInt() >> 1) % int.MaxValue; }

        public virtual int Next(int maxValue)
        {
            if (maxValue < 0) throw new ArgumentOutOfRangeException("maxValue", "'maxValue' must be greater than zero.");
            return (int)(NextDouble() * maxValue);
        }

        public virtual int Next(int minValue, int maxValue)
        {
            if (minValue > maxValue) throw new ArgumentOutOfRangeException("minValue", "'minValue' cannot be greater than maxValue.");
            return minValue + (int)(NextDouble() * ((long)maxValue - minValue));
        }

        /// In [0, 1).
        public virtual double NextDouble()
        {
            ulong bits = ((ulong)(NextUInt() >> 5) << 26) | (NextUInt() >> 6); // 53 random bits
            return bits * (1.0 / 9007199254740992.0);
        }

        public virtual void NextBytes(byte[] buffer)
        {
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)NextUInt();
        }
    }
}
