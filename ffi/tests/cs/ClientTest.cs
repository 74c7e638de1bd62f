// Drives the C ABI from C# through the csbindgen declarations (unity-package/Runtime/Native/LightconeNative.g.cs),
// as the Unity package does: connect, subscribe to `player` (tests/modules/everything), call
// reducers, check the insert / update / delete events and their row bytes, then the refusals.
// server/tests/client_abi.rs compiles it with mcs and runs it under mono.
//
// usage: mono ClientTest.exe <server-url> <database>
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Lightcone.Native;
using static Lightcone.Native.LightconeConstants;

public static unsafe class ClientTest
{
    const int DeadlineSeconds = 30;
    static int failures;

    struct Seen
    {
        public LcEvent E;
        public byte[] A;
        public byte[] B;
    }

    static readonly List<Seen> seen = new List<Seen>();

    static void Check(bool ok, string what)
    {
        if (!ok)
        {
            Console.Error.WriteLine("FAILED: " + what + " (last error: " + LastError() + ")");
            failures++;
        }
    }

    static string LastError()
    {
        byte* p = LightconeNative.lc_last_error();
        int n = 0;
        while (p[n] != 0) n++;
        return Encoding.UTF8.GetString(p, n);
    }

    static byte[] Copy(byte* data, uint offset, uint len)
    {
        var bytes = new byte[len];
        Marshal.Copy((IntPtr)(data + offset), bytes, 0, (int)len);
        return bytes;
    }

    static bool Until(ulong client, ushort kind, uint id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(DeadlineSeconds);
        while (DateTime.UtcNow < deadline)
        {
            LcBatch batch;
            if (LightconeNative.lc_wait_tick(client, 50, &batch) != LC_OK) return false;
            if (batch.version != LC_BATCH_VERSION) return false;
            bool found = false;
            for (uint i = 0; i < batch.count; i++)
            {
                LcEvent e = batch.events[i];
                seen.Add(new Seen { E = e, A = Copy(batch.data, e.a_offset, e.a_len), B = Copy(batch.data, e.b_offset, e.b_len) });
                if (e.kind == kind && e.id == id) found = true;
            }
            if (found) return true;
        }
        return false;
    }

    static int Count(ushort kind)
    {
        int n = 0;
        foreach (var s in seen) if (s.E.kind == kind) n++;
        return n;
    }

    static int Nth(ushort kind)
    {
        for (int i = 0; i < seen.Count; i++) if (seen[i].E.kind == kind) return i;
        return -1;
    }

    static byte[] Utf8z(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Array.Resize(ref bytes, bytes.Length + 1);
        return bytes;
    }

    /// A player row without its id (add_player's arguments): name, level, guild, badge.
    static byte[] PlayerTail(string name, uint level, uint guild, ushort badge)
    {
        var m = new MemoryStream();
        var w = new BinaryWriter(m);
        var utf8 = Encoding.UTF8.GetBytes(name);
        w.Write((uint)utf8.Length);
        w.Write(utf8);
        w.Write(level);
        w.Write(guild);
        w.Write(badge);
        return m.ToArray();
    }

    static byte[] Str(string s)
    {
        var m = new MemoryStream();
        var w = new BinaryWriter(m);
        var utf8 = Encoding.UTF8.GetBytes(s);
        w.Write((uint)utf8.Length);
        w.Write(utf8);
        return m.ToArray();
    }

    static bool IsPlayer(byte[] row, byte[] tail)
    {
        if (row.Length != 4 + tail.Length) return false;
        for (int i = 0; i < tail.Length; i++) if (row[4 + i] != tail[i]) return false;
        return true;
    }

    static bool IsPlayer(LcRow row, byte[] tail)
    {
        return IsPlayer(Copy(row.ptr, 0, row.len), tail);
    }

    static void Call(ulong client, string reducer, byte[] args)
    {
        seen.Clear();
        uint request;
        var name = Utf8z(reducer);
        int rc;
        fixed (byte* n = name)
        fixed (byte* a = args)
            rc = LightconeNative.lc_call_reducer(client, n, a, (uint)args.Length, &request);
        Check(rc == LC_OK, "lc_call_reducer " + reducer);
        Check(Until(client, LC_EVENT_REDUCER_RESULT, request), "result of " + reducer);
        int r = Nth(LC_EVENT_REDUCER_RESULT);
        Check(r >= 0 && seen[r].E.aux == LC_CALL_COMMITTED, reducer + " committed");
    }

    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: ClientTest.exe <server-url> <database>");
            return 2;
        }
        LcOptions options;
        Check(LightconeNative.lc_options_default(&options) == LC_OK, "lc_options_default");
        ulong client = 0;
        var server = Utf8z(args[0]);
        var db = Utf8z(args[1]);
        fixed (byte* s = server)
        fixed (byte* d = db)
            Check(LightconeNative.lc_connect(s, d, &options, &client) == LC_OK, "lc_connect");
        Check(Until(client, LC_EVENT_CONNECTED, 0), "connected");

        uint player = 0;
        fixed (byte* n = Utf8z("player"))
            Check(LightconeNative.lc_table_index(client, n, &player) == LC_OK, "table index");

        var query = Utf8z("SELECT * FROM player");
        uint set = 0;
        fixed (byte* q = query)
        {
            byte** queries = stackalloc byte*[1];
            queries[0] = q;
            Check(LightconeNative.lc_subscribe(client, queries, 1, &set) == LC_OK, "lc_subscribe");
        }
        Check(Until(client, LC_EVENT_SUBSCRIBE_APPLIED, set), "subscribed");

        var ann1 = PlayerTail("bea", 1, 7, 3);
        Call(client, "add_player", ann1);
        Check(Count(LC_EVENT_INSERT) == 1, "one insert");
        int ins = Nth(LC_EVENT_INSERT);
        byte[] id = ins >= 0 ? new[] { seen[ins].A[0], seen[ins].A[1], seen[ins].A[2], seen[ins].A[3] } : new byte[4];
        Check(ins >= 0 && seen[ins].E.table == player && IsPlayer(seen[ins].A, ann1), "inserted row bytes");

        Call(client, "level_up", Str("bea"));
        var ann2 = PlayerTail("bea", 2, 7, 3);
        Check(Count(LC_EVENT_UPDATE) == 1 && Count(LC_EVENT_INSERT) == 0 && Count(LC_EVENT_DELETE) == 0, "one update only");
        int up = Nth(LC_EVENT_UPDATE);
        Check(up >= 0 && IsPlayer(seen[up].A, ann2) && IsPlayer(seen[up].B, ann1), "update's new and old rows");
        LcRow found;
        fixed (byte* k = id)
            Check(LightconeNative.lc_find(client, player, k, 4, &found) == LC_OK && IsPlayer(found, ann2), "lc_find");
        ulong rows;
        Check(LightconeNative.lc_row_count(client, player, &rows) == LC_OK && rows == 1, "one row");

        Call(client, "delete_player_by_name", Str("bea"));
        int before = Nth(LC_EVENT_BEFORE_DELETE), del = Nth(LC_EVENT_DELETE);
        Check(before >= 0 && del > before && IsPlayer(seen[del].A, ann2), "before-delete, then delete with the row");
        fixed (byte* k = id)
            Check(LightconeNative.lc_find(client, player, k, 4, &found) == LC_NOT_FOUND, "gone");

        fixed (byte* q = Utf8z("SELEKT * FROM player"))
        {
            byte** queries = stackalloc byte*[1];
            queries[0] = q;
            Check(LightconeNative.lc_subscribe(client, queries, 1, &set) == LC_ERR_BAD_QUERY && LastError().Length > 0, "bad query refused");
        }
        LcBatch batch;
        Check(LightconeNative.lc_frame_tick(0, &batch) == LC_ERR_BAD_HANDLE && LastError().Length > 0, "null handle refused");
        Check(LightconeNative.lc_frame_tick(client, null) == LC_ERR_NULL, "null out pointer refused");
        Check(LightconeNative.lc_client_free(client) == LC_OK, "free");
        Check(LightconeNative.lc_frame_tick(client, &batch) == LC_ERR_BAD_HANDLE && LastError().Contains("not a live client"), "freed handle refused");

        if (failures > 0)
        {
            Console.Error.WriteLine("c# abi: " + failures + " checks failed");
            return 1;
        }
        Console.WriteLine("c# abi: all checks passed");
        return 0;
    }
}
