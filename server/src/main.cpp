// sesame-server: at this stage it only reports its version; the HTTP server,
// storage and CLI subcommands arrive with the server issue.
#include <cstdio>
#include <string>

#include "version.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::printf("usage: sesame-server [--version]\n");
    return 0;
  }
  std::printf("sesame-server %s\n", std::string(sesame::server::version()).c_str());
  return 0;
}
