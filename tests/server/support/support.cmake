# Shared by the server suites: the HTTP test client (libcurl, tests only).
# Any suite's tests.cmake may include this file; it defines the target once.
include_guard(GLOBAL)
find_package(CURL REQUIRED)
add_library(sesame_test_http_client STATIC ${CMAKE_CURRENT_LIST_DIR}/http_client.cpp)
add_library(sesame::test_http_client ALIAS sesame_test_http_client)
target_include_directories(sesame_test_http_client PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(sesame_test_http_client PUBLIC sesame::json PRIVATE CURL::libcurl)
sesame_enable_warnings(sesame_test_http_client)

# Loopback stand-ins for the services the server calls: an SMTP listener and a
# k-anonymity range API stub (plain sockets, threads).
find_package(Threads REQUIRED)
add_library(sesame_test_loopback_services STATIC ${CMAKE_CURRENT_LIST_DIR}/loopback_services.cpp)
add_library(sesame::test_loopback_services ALIAS sesame_test_loopback_services)
target_include_directories(sesame_test_loopback_services PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(sesame_test_loopback_services PUBLIC Threads::Threads)
sesame_enable_warnings(sesame_test_loopback_services)
