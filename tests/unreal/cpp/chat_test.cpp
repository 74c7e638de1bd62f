// The engine-agnostic C++ layer plus code generated for the chat sample's module
// (samples/chat/module-rust), against the real server and the real native library
// (server/tests/unreal_cpp.rs builds and runs it): each client is given its user row on
// connecting, a name set by one client and a message it sends reach the other as typed rows
// with their update and insert delegates, the module's own errors come back as call results,
// and a client that leaves is seen going offline.
//
// usage: chat_test <server-url> <database>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "Module.g.hpp"
#include "check.hpp"

using namespace Lightcone::Module;


int main(int argc, char** argv) {
    if (argc != 3) return 2;
    const std::vector<std::string> queries = {"SELECT * FROM user", "SELECT * FROM message"};
    auto a = check::connect<DbConnection>(argv[1], argv[2], queries);
    auto b = check::connect<DbConnection>(argv[1], argv[2], queries);
    if (!a || !b) return check::finish("unreal chat");
    lightcone::Identity a_id = a->connection().identity();
    check::that(a_id != b->connection().identity(), "two identities");

    // client_connected gave each its user row, online and unnamed, which both see.
    check::that(check::until({b.get()}, [&] { return b->db.user.find(a_id) != nullptr; }), "b holds a's user row");
    const User* mine = a->db.user.find(a_id);
    check::that(mine != nullptr && mine->online && !mine->name, "a's own row: online, no name");
    check::that(check::until({a.get()}, [&] { return a->db.user.size() == 2; }), "a sees both users");

    // A name set by a reaches b as an update of the same row.
    std::vector<User> renamed;
    b->db.user.on_update.add([&](const User& old, const User& now) {
        if (now.identity != a_id) return;
        renamed.push_back(old);
        renamed.push_back(now);
    });
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.set_name("ann", done); }).committed(),
                "set_name committed");
    check::that(check::until({b.get()}, [&] { return renamed.size() == 2; }), "b sees the rename as one update");
    if (renamed.size() == 2)
        check::that(!renamed[0].name && renamed[1].name == std::string("ann") && renamed[1].online, "old and new user rows");

    // A message from a reaches b as a typed row naming its sender.
    std::vector<Message> received;
    b->db.message.on_insert.add([&](const Message& m) { received.push_back(m); });
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.send_message("hello from ann", done); }).committed(),
                "send_message committed");
    check::that(check::until({b.get()}, [&] { return received.size() == 1; }), "b receives the message");
    if (received.size() == 1) {
        check::that(received[0].sender == a_id && received[0].text == "hello from ann", "the message's sender and text");
        int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        int64_t age_us = now_us - received[0].sent.micros_since_epoch;
        check::that(age_us > -60000000 && age_us < 300000000, "the message was stamped when it was sent");
    }
    check::that(a->db.message.size() == 1 && b->db.message.size() == 1, "one message in each cache");

    // The module's own refusals come back as failed calls with its text.
    auto no_name = check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.set_name("", done); });
    check::that(no_name.status == lightcone::CallStatus::Failed && no_name.error.find("Names must not be empty") != std::string::npos,
                "an empty name: " + no_name.error);
    auto no_text = check::result_of(*b, [&](lightcone::CallCallback done) { return b->reducers.send_message("", done); });
    check::that(no_text.status == lightcone::CallStatus::Failed && no_text.error.find("Messages must not be empty") != std::string::npos,
                "an empty message: " + no_text.error);
    check::that(b->db.message.size() == 1, "a refused message is not cached");

    // a leaves: client_disconnected marks it offline, and b sees that.
    a.reset();
    check::that(check::until({b.get()}, [&] {
                    const User* u = b->db.user.find(a_id);
                    return u != nullptr && !u->online;
                }),
                "b sees a go offline");
    const User* gone = b->db.user.find(a_id);
    check::that(gone != nullptr && gone->name == std::string("ann"), "a's name outlives its connection");
    return check::finish("unreal chat");
}
