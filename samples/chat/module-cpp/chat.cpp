// The quickstart chat module in C++ (contract: the sample's README and samples/chat/module-rust).
#include <lightcone/module.hpp>

#include <optional>
#include <string>

struct User {
    lc::Identity identity;
    std::optional<std::string> name;
    bool online;
};
LC_STRUCT(User, identity, name, online)

struct Message {
    lc::Identity sender;
    lc::Timestamp sent;
    std::string text;
};
LC_STRUCT(Message, sender, sent, text)

LC_TABLE(user, User, lc::Public, lc::PrimaryKey<&User::identity>);
LC_TABLE(message, Message, lc::Public);

lc::Result<> set_name(lc::ReducerContext& ctx, std::string name) {
    if (name.empty()) return lc::err("Names must not be empty");
    std::optional<User> found = user.find(ctx.sender);
    if (!found) return lc::err("Cannot set name for unknown user");
    found->name = std::move(name);
    LC_TRY(user.update(*found));
    return lc::ok();
}
LC_REDUCER(set_name, name);

lc::Result<> send_message(lc::ReducerContext& ctx, std::string text) {
    if (text.empty()) return lc::err("Messages must not be empty");
    LC_TRY(message.insert(Message{ctx.sender, ctx.timestamp, std::move(text)}));
    return lc::ok();
}
LC_REDUCER(send_message, text);

lc::Result<> client_connected(lc::ReducerContext& ctx) {
    if (std::optional<User> found = user.find(ctx.sender)) {
        found->online = true;
        LC_TRY(user.update(*found));
    } else {
        LC_TRY(user.insert(User{ctx.sender, std::nullopt, true}));
    }
    return lc::ok();
}
LC_CLIENT_CONNECTED(client_connected);

lc::Result<> client_disconnected(lc::ReducerContext& ctx) {
    if (std::optional<User> found = user.find(ctx.sender)) {
        found->online = false;
        LC_TRY(user.update(*found));
    }
    return lc::ok();
}
LC_CLIENT_DISCONNECTED(client_disconnected);
