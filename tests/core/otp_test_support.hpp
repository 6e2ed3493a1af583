#pragma once
// Shared by the OTP suites (one executable): the vector tables name hashes as
// the otpauth URI does.
#include <boost/test/unit_test.hpp>

#include <string>

#include "sesame/totp.hpp"

namespace sesame::test {

inline OtpAlgorithm algorithm_named(const std::string& name) {
  if (name == "SHA256") return OtpAlgorithm::sha256;
  if (name == "SHA512") return OtpAlgorithm::sha512;
  BOOST_REQUIRE(name == "SHA1");
  return OtpAlgorithm::sha1;
}

}  // namespace sesame::test
