sesame_add_test(server_config_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp LIBRARIES sesame::server)
