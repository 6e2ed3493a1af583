#pragma once
// SIGTERM / SIGINT for a graceful stop, without a signal handler: the signals
// are blocked in every thread and one thread waits for them with sigwait.
//
//   int main() {
//     http::block_termination_signals();   // first, before any thread starts
//     ... server.start() ...
//     http::wait_for_termination_signal();
//     server.stop();
//   }

namespace sesame::server::http {

// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it
// starts afterwards (Pistache's, the worker pool's).
void block_termination_signals();

// Waits until SIGTERM or SIGINT arrives; returns its number.
int wait_for_termination_signal();

}  // namespace sesame::server::http
