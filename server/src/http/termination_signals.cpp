#include "http/termination_signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <system_error>

namespace sesame::server::http {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void block_termination_signals() {
  const sigset_t set = termination_set();
  if (const int error = pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0) {
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
  }
}

int wait_for_termination_signal() {
  const sigset_t set = termination_set();
  int signal_number = 0;
  if (const int error = sigwait(&set, &signal_number); error != 0) {
    throw std::system_error(error, std::generic_category(), "sigwait");
  }
  return signal_number;
}

}  // namespace sesame::server::http
