// Types generated code refers to besides the integers: the unit type, SpacetimeDB's
// ScheduleAt, and equality for arrays (row types compare field by field).
using System;
using System.Collections.Generic;

namespace Lightcone
{
    /// The empty product (a variant without payload, a procedure returning nothing).
    public struct Unit : IEquatable<Unit>
    {
        public bool Equals(Unit o) { return true; }
        public override bool Equals(object o) { return o is Unit; }
        public override int GetHashCode() { return 0; }
    }

    /// When a scheduled row runs: every `Interval`, or once at `Time`.
    public struct ScheduleAt : IEquatable<ScheduleAt>
    {
        public enum Tags : byte { Interval = 0, Time = 1 }
        public Tags Tag;
        public TimeDuration Interval;
        public Timestamp Time;

        public static ScheduleAt NewInterval(TimeDuration v) { return new ScheduleAt { Tag = Tags.Interval, Interval = v }; }
        public static ScheduleAt NewTime(Timestamp v) { return new ScheduleAt { Tag = Tags.Time, Time = v }; }

        public static ScheduleAt Read(ref BsatnReader r)
        {
            byte tag = r.ReadTag();
            switch (tag)
            {
                case 0: return NewInterval(TimeDuration.Read(ref r));
                case 1: return NewTime(Timestamp.Read(ref r));
                default: throw new BsatnException("ScheduleAt has no variant " + tag);
            }
        }

        public void Write(BsatnWriter w)
        {
            w.WriteTag((byte)Tag);
            if (Tag == Tags.Interval) Interval.Write(w); else Time.Write(w);
        }

        public bool Equals(ScheduleAt o) { return Tag == o.Tag && (Tag == Tags.Interval ? Interval.Equals(o.Interval) : Time.Equals(o.Time)); }
        public override bool Equals(object o) { return o is ScheduleAt && Equals((ScheduleAt)o); }
        public override int GetHashCode() { return Tag == Tags.Interval ? Interval.GetHashCode() : Time.GetHashCode(); }
    }

    /// Element-wise equality and hashing of arrays (null equals empty).
    public static class Seq
    {
        public static bool Equal<T>(T[] a, T[] b)
        {
            int n = a == null ? 0 : a.Length;
            if (n != (b == null ? 0 : b.Length)) return false;
            var eq = EqualityComparer<T>.Default;
            for (int i = 0; i < n; i++) if (!eq.Equals(a[i], b[i])) return false;
            return true;
        }

        public static int Hash<T>(T[] a)
        {
            if (a == null) return 0;
            var eq = EqualityComparer<T>.Default;
            int h = a.Length;
            for (int i = 0; i < a.Length && i < 16; i++) h = h * 31 + eq.GetHashCode(a[i]);
            return h;
        }
    }
}
