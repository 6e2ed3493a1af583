# The common-password blocklist of the password policy (NIST SP 800-63B §5.1.1.2, ASVS 6.2.4).
#
# include()d from core/CMakeLists.txt: defines the cache variables below and
# sesame_add_password_blocklist(<target>), a build rule that runs cmake/password_blocklist.py
# to turn the lists into <build>/core/generated/password_blocklist.cpp (a Golomb-Rice coded
# hash set, read by core/src/password_policy.cpp) and password_blocklist.txt (the entries,
# for the tests).

set(SESAME_PASSWORD_LIST_ZXCVBN "/usr/lib/python3/dist-packages/zxcvbn/frequency_lists.py" CACHE FILEPATH
    "zxcvbn's frequency lists (Debian's python3-zxcvbn), the main source of common passwords")
set(SESAME_PASSWORD_LIST_ZXCVBN_TOP 3000 CACHE STRING
    "How many of zxcvbn's most frequent passwords of 8+ characters the blocklist takes")
set(SESAME_PASSWORD_LIST "/usr/share/john/password.lst" CACHE FILEPATH
    "John the Ripper's list (Debian's john-data), added to the blocklist")
# 2^-12: one password in 4,096 that is on neither list is refused as common (the
# person picks another); 13 bits take the SDK over its 50 KiB gzip budget (wasm/test/package.test.mjs).
set(SESAME_PASSWORD_LIST_RICE_BITS 12 CACHE STRING
    "Low bits per Golomb-Rice delta of the blocklist; the false-positive rate is about 2^-bits")

find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(list SESAME_PASSWORD_LIST_ZXCVBN SESAME_PASSWORD_LIST)
  if(NOT EXISTS "${${list}}")
    message(FATAL_ERROR
      "${list}: '${${list}}' does not exist.\n"
      "The password policy's blocklist of common passwords is generated from it at build time. "
      "Install the lists with `apt-get install python3-zxcvbn john-data` (scripts/bootstrap.sh does), "
      "or pass -D${list}=<file>.")
  endif()
endforeach()

# sesame_add_password_blocklist(<target>): adds the generated blocklist source to <target>
# and records the entries file in the global property SESAME_PASSWORD_BLOCKLIST_ENTRIES.
function(sesame_add_password_blocklist target)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/generated/password_blocklist.cpp")
  set(entries "${CMAKE_CURRENT_BINARY_DIR}/generated/password_blocklist.txt")
  set(generator "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/password_blocklist.py")
  add_custom_command(
    OUTPUT "${output}" "${entries}"
    COMMAND "${Python3_EXECUTABLE}" "${generator}"
            --zxcvbn "${SESAME_PASSWORD_LIST_ZXCVBN}" --zxcvbn-top "${SESAME_PASSWORD_LIST_ZXCVBN_TOP}"
            --john "${SESAME_PASSWORD_LIST}" --rice-bits "${SESAME_PASSWORD_LIST_RICE_BITS}"
            --cpp "${output}" --entries "${entries}"
    DEPENDS "${SESAME_PASSWORD_LIST_ZXCVBN}" "${SESAME_PASSWORD_LIST}" "${generator}"
    COMMENT "Generating the common-password blocklist"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
  set_property(GLOBAL PROPERTY SESAME_PASSWORD_BLOCKLIST_ENTRIES "${entries}")
endfunction()
