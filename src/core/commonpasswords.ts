// The most common passwords of public breach corpora (lower-cased), refused by the password
// policy whatever their length. Short on purpose: the length rule already refuses most weak
// passwords, and this list catches the well-known long ones ("password123", "qwertyuiop").
// Compare with the lower-cased candidate.
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 111111 123123
  abc123 password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword p@ssword1
  iloveyou 000000 00000000 0000000000 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y qwertyuiop qwertyui
  qwerty12 qwerty1234 qwerty12345 asdfghjkl asdfghjk asdf1234 zxcvbnm zxcvbnm123 1qaz2wsx
  1qaz2wsx3edc zaq12wsx zaq1zaq1 qazwsxedc qazwsx123 123qwe 123qweasd 123qweasdzxc
  qweasdzxc qweasd123 aa123456 aa12345678 abcd1234 abcd12345 abc12345 abc123456 a1234567
  a12345678 a123456789 11111111 1111111111 22222222 12341234 12344321 87654321 987654321
  9876543210 0987654321 123321123 123454321 147258369 159753456 1234512345 1234554321
  112233445566 123456123456 12345678910 11223344 12121212 123123123 321321321 789456123
  741852963 963852741 football baseball basketball soccer123 hockey123 superman batman123
  iloveyou1 iloveyou123 sunshine sunshine1 princess princess1 dragon123 monkey123 letmein
  letmein123 welcome welcome1 welcome123 welcome2024 welcome2025 welcome2026 changeme
  changeme123 administrator admin123 admin1234 admin12345 adminadmin root1234 toor1234
  master123 masterkey trustno1 starwars whatever freedom123 shadow123 michael1 jennifer
  computer computer1 internet internet1 mustang1 liverpool chelsea123 arsenal123
  manchester barcelona realmadrid pokemon123 minecraft fortnite naruto123 charlie123
  jordan23 michelle jessica1 daniel123 secret123 mypassword mypassword1 passpass
  password2024 password2025 password2026 password! password01 password11 password99
  summer2024 summer2025 winter2024 winter2025 spring2025 autumn2025 january2025
  qwer1234 qwer1234! asdf;lkj asdfasdf asdfqwer qwerasdf 1234qwer 1234asdf 12qwaszx
  google123 facebook1 microsoft samsung123 iphone123 nokia1234 default1 default123
  guest1234 user1234 test1234 test12345 testtest testing123 demo1234 temp1234 temp12345
  lovely123 loveme123 babygirl1 football1 baseball1 superman1 batman1234 spiderman
  ironman123 ninja1234 killer123 hunter123 hunter2hunter2 q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6
  1a2b3c4d 1a2b3c4d5e a1b2c3d4 a1b2c3d4e5 aaaaaaaa aaaaaaaaaa abcdefgh abcdefghij
  abcdefg1 zzzzzzzz xxxxxxxx laos1234 laos12345 vientiane vientiane1 vientiane123
  sabaidee sabaidee1 sabaidee123 champa123 education education1 education123 ministry1
  school123 school1234 teacher1 teacher123 student1 student123 office123 office2024`
    .split(/\s+/)
    .filter(Boolean),
);
