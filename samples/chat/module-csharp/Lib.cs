// The quickstart chat module in C# (contract: ../shared/samples/chat.md, the same as
// samples/chat/module-rust). Built by `lightcone build` with Lightcone's C# SDK.
using System;
using SpacetimeDB;

[SpacetimeDB.Table(Accessor = "user", Public = true)]
public partial struct User
{
    [SpacetimeDB.PrimaryKey]
    public Identity identity;
    // An Option<String> column (C# 7's `string` cannot say `string?`).
    [SpacetimeDB.Option]
    public string name;
    public bool online;
}

[SpacetimeDB.Table(Accessor = "message", Public = true)]
public partial struct Message
{
    public Identity sender;
    public Timestamp sent;
    public string text;
}

public static partial class Module
{
    [SpacetimeDB.Reducer]
    public static void set_name(ReducerContext ctx, string name)
    {
        if (string.IsNullOrEmpty(name)) throw new Exception("Names must not be empty");
        User? found = ctx.Db.user.identity.Find(ctx.Sender);
        if (found == null) throw new Exception("Cannot set name for unknown user");
        Log.Info(ctx.Sender + " is now called " + name);
        User user = found.Value;
        user.name = name;
        ctx.Db.user.identity.Update(user);
    }

    [SpacetimeDB.Reducer]
    public static void send_message(ReducerContext ctx, string text)
    {
        if (string.IsNullOrEmpty(text)) throw new Exception("Messages must not be empty");
        Log.Info("message from " + ctx.Sender + ": " + text);
        ctx.Db.message.Insert(new Message { sender = ctx.Sender, sent = ctx.Timestamp, text = text });
    }

    [SpacetimeDB.Reducer(ReducerKind.ClientConnected)]
    public static void client_connected(ReducerContext ctx)
    {
        User? found = ctx.Db.user.identity.Find(ctx.Sender);
        if (found != null)
        {
            User user = found.Value;
            user.online = true;
            ctx.Db.user.identity.Update(user);
        }
        else
        {
            ctx.Db.user.Insert(new User { identity = ctx.Sender, name = null, online = true });
        }
    }

    [SpacetimeDB.Reducer(ReducerKind.ClientDisconnected)]
    public static void client_disconnected(ReducerContext ctx)
    {
        User? found = ctx.Db.user.identity.Find(ctx.Sender);
        if (found == null) return;
        User user = found.Value;
        user.online = false;
        ctx.Db.user.identity.Update(user);
    }
}
