// sesame-server: at this stage it only reports its version; the HTTP server,
// storage and CLI subcommands arrive with the server issue.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf("usage: sesame-server [--version]\n");
    return 0;
  }
  std::printf("sesame-server %s\n", SESAME_VERSION);
  return 0;
}
