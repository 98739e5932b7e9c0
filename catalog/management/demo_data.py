"""The demo marketplace's data: categories, brands, sellers, product name parts and the
상품정보제공고시 (product information notice) templates per kind of product.

Only ``seed_demo`` reads this. Everything here is invented: no real brand or company.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Leaf:
    """A level-3 category: the only level products are listed in."""

    name: str
    name_en: str
    slug: str
    kind: str  # a key of KINDS: decides options, price range, notice template
    nouns: tuple[str, ...]  # what the product is, the last words of its name


@dataclass(frozen=True)
class Middle:
    name: str
    name_en: str
    slug: str
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True)
class Top:
    name: str
    name_en: str
    slug: str
    word: str  # the word drawn on its demo images
    shape: str  # the simple shape drawn on its demo images
    palette: tuple[tuple[str, str], ...]  # background gradients (from, to)
    middles: tuple[Middle, ...]


CATEGORY_TREE: tuple[Top, ...] = (
    Top("패션의류", "Fashion", "fashion", "패션", "shirt",
        (("#f6e7dc", "#e9c9b5"), ("#e7ecf3", "#c3cfe0"), ("#efe9f6", "#d3c6e6"), ("#f3efe6", "#ddd2bb")), (
            Middle("여성의류", "Women's clothing", "fashion-women", (
                Leaf("니트/가디건", "Knits & cardigans", "women-knits", "clothing",
                     ("라운드 니트 가디건", "브이넥 가디건", "크롭 니트", "케이블 니트 스웨터", "하프넥 니트")),
                Leaf("원피스", "Dresses", "women-dresses", "clothing",
                     ("플리츠 롱 원피스", "셔츠 원피스", "니트 원피스", "랩 원피스", "미디 원피스")),
                Leaf("블라우스/셔츠", "Blouses & shirts", "women-blouses", "clothing",
                     ("리본 블라우스", "오버핏 셔츠", "스트라이프 셔츠", "프릴 블라우스")),
                Leaf("코트/재킷", "Coats & jackets", "women-coats", "clothing",
                     ("핸드메이드 롱 코트", "트렌치 코트", "숏 패딩 재킷", "트위드 재킷")),
            )),
            Middle("남성의류", "Men's clothing", "fashion-men", (
                Leaf("티셔츠", "T-shirts", "men-tshirts", "clothing",
                     ("오버핏 반팔 티셔츠", "헤비웨이트 긴팔 티셔츠", "피그먼트 맨투맨", "포켓 티셔츠")),
                Leaf("셔츠", "Shirts", "men-shirts", "clothing",
                     ("옥스퍼드 셔츠", "린넨 셔츠", "체크 셔츠", "데님 셔츠")),
                Leaf("니트/스웨터", "Knits & sweaters", "men-knits", "clothing",
                     ("크루넥 니트", "터틀넥 스웨터", "집업 니트 가디건", "꽈배기 니트")),
                Leaf("팬츠", "Trousers", "men-pants", "clothing",
                     ("와이드 슬랙스", "스트레이트 데님 팬츠", "카고 조거 팬츠", "치노 팬츠")),
            )),
            Middle("신발/가방", "Shoes & bags", "fashion-shoes-bags", (
                Leaf("운동화", "Sneakers", "sneakers", "shoes",
                     ("런닝화", "캔버스 스니커즈", "레더 스니커즈", "슬립온")),
                Leaf("백팩", "Backpacks", "backpacks", "bags",
                     ("데일리 백팩", "노트북 백팩", "미니 백팩")),
                Leaf("크로스백", "Crossbody bags", "crossbody-bags", "bags",
                     ("미니 크로스백", "캔버스 메신저백", "레더 숄더백")),
            )),
        )),
    Top("뷰티", "Beauty", "beauty", "뷰티", "bottle",
        (("#fde8ec", "#f6c2cf"), ("#e8f5f1", "#bfe3d6"), ("#fff4e0", "#f5d9a8"), ("#eef0fb", "#c9cff0")), (
            Middle("스킨케어", "Skincare", "skincare", (
                Leaf("토너", "Toners", "toners", "cosmetics",
                     ("수분 토너", "진정 토너", "각질 케어 토너", "약산성 토너 패드")),
                Leaf("세럼/에센스", "Serums & essences", "serums", "cosmetics",
                     ("비타민 세럼", "히알루론산 앰플", "나이아신아마이드 에센스", "레티놀 세럼")),
                Leaf("크림", "Creams", "creams", "cosmetics",
                     ("수분 크림", "장벽 크림", "영양 크림", "아이 크림")),
                Leaf("선케어", "Sun care", "suncare", "cosmetics",
                     ("톤업 선크림", "무기자차 선크림", "선스틱", "선쿠션")),
            )),
            Middle("메이크업", "Makeup", "makeup", (
                Leaf("립", "Lips", "lips", "cosmetics",
                     ("벨벳 립틴트", "글로우 립밤", "매트 립스틱", "워터 틴트")),
                Leaf("베이스", "Base", "base-makeup", "cosmetics",
                     ("커버 쿠션", "롱웨어 파운데이션", "톤업 프라이머", "컨실러")),
            )),
            Middle("헤어/바디", "Hair & body", "hair-body", (
                Leaf("샴푸/린스", "Shampoo & conditioner", "shampoo", "cosmetics",
                     ("탈모 증상 완화 샴푸", "약산성 샴푸", "단백질 트리트먼트", "두피 스케일링 샴푸")),
                Leaf("바디워시/로션", "Body wash & lotion", "body-care", "cosmetics",
                     ("퍼퓸 바디워시", "보습 바디로션", "바디 스크럽", "핸드크림 세트")),
            )),
        )),
    Top("식품", "Food", "food", "식품", "fruit",
        (("#fdecea", "#f7c1b9"), ("#eef7e6", "#cde6b5"), ("#fff7e0", "#f8e0a0"), ("#f4ede4", "#e0cdb5")), (
            Middle("과일", "Fruit", "fruit", (
                Leaf("사과", "Apples", "apples", "fresh",
                     ("꿀 사과", "부사 사과", "홍로 사과", "못난이 사과")),
                Leaf("감귤/만감류", "Citrus", "citrus", "fresh",
                     ("노지 감귤", "한라봉", "천혜향", "레드향")),
                Leaf("딸기/베리", "Berries", "berries", "fresh",
                     ("설향 딸기", "킹스베리 딸기", "냉동 블루베리", "생 블루베리")),
            )),
            Middle("정육/수산", "Meat & seafood", "meat-seafood", (
                Leaf("한우", "Hanwoo beef", "hanwoo", "fresh",
                     ("1++ 등심", "국거리 양지", "불고기용 앞다리", "구이용 채끝")),
                Leaf("수산물", "Seafood", "seafood", "fresh",
                     ("손질 고등어", "제주 은갈치", "완도 전복", "자숙 새우")),
            )),
            Middle("가공식품", "Processed food", "processed-food", (
                Leaf("라면/면류", "Noodles", "noodles", "processed",
                     ("짜장 라면", "비빔면", "우동 밀키트", "쌀국수")),
                Leaf("커피/차", "Coffee & tea", "coffee-tea", "processed",
                     ("콜드브루 원액", "드립백 커피", "원두 커피", "유자차", "보리차 티백")),
                Leaf("간식/과자", "Snacks", "snacks", "processed",
                     ("수제 그래놀라", "견과류 믹스", "쌀과자", "단백질 바")),
            )),
        )),
    Top("디지털/가전", "Digital & appliances", "digital", "가전", "device",
        (("#e6ecf5", "#b9c8df"), ("#ecebef", "#c9c6d3"), ("#e4f1f4", "#b3d7df"), ("#f1f1ec", "#d2d2c4")), (
            Middle("음향기기", "Audio", "audio", (
                Leaf("이어폰", "Earphones", "earphones", "electronics",
                     ("노이즈캔슬링 무선 이어폰", "오픈형 블루투스 이어폰", "게이밍 이어폰")),
                Leaf("스피커", "Speakers", "speakers", "electronics",
                     ("블루투스 스피커", "사운드바", "미니 캠핑 스피커")),
            )),
            Middle("생활가전", "Home appliances", "home-appliances", (
                Leaf("공기청정기", "Air purifiers", "air-purifiers", "electronics",
                     ("공기청정기 20평형", "원룸 공기청정기", "차량용 공기청정기")),
                Leaf("청소기", "Vacuum cleaners", "vacuums", "electronics",
                     ("무선 청소기", "로봇 청소기", "핸디 청소기", "물걸레 청소기")),
                Leaf("가습기", "Humidifiers", "humidifiers", "electronics",
                     ("초음파 가습기", "가열식 가습기", "복합식 가습기")),
            )),
            Middle("주방가전", "Kitchen appliances", "kitchen-appliances", (
                Leaf("에어프라이어", "Air fryers", "air-fryers", "electronics",
                     ("에어프라이어 5.5L", "오븐형 에어프라이어", "대용량 에어프라이어")),
                Leaf("전기포트", "Electric kettles", "kettles", "electronics",
                     ("스테인리스 전기포트", "온도조절 전기포트", "드립 전기포트")),
            )),
        )),
    Top("생활/주방", "Home & kitchen", "living", "리빙", "pan",
        (("#f2efe8", "#dcd3c2"), ("#e9f1ee", "#c4dccf"), ("#f7ede6", "#e6cbb8"), ("#eceff3", "#c8d0da")), (
            Middle("주방용품", "Kitchenware", "kitchenware", (
                Leaf("프라이팬/냄비", "Pans & pots", "pans", "kitchen",
                     ("인덕션 프라이팬", "통3중 냄비", "IH 궁중팬", "무쇠 주물팬")),
                Leaf("밀폐용기", "Food containers", "containers", "kitchen",
                     ("유리 밀폐용기 세트", "스텐 밀폐용기", "냉동밥 보관용기")),
                Leaf("그릇/식기", "Tableware", "tableware", "kitchen",
                     ("도자기 그릇 세트", "논슬립 수저 세트", "유리컵 세트", "원목 트레이")),
            )),
            Middle("생활용품", "Household goods", "household", (
                Leaf("수건", "Towels", "towels", "bedding",
                     ("호텔 수건", "세면타월 10장", "극세사 헤어타월")),
                Leaf("세제", "Detergents", "detergents", "living",
                     ("고농축 액체세제", "식기세척기 세제", "섬유유연제", "친환경 주방세제")),
                Leaf("수납/정리", "Storage", "storage", "living",
                     ("슬라이딩 수납함", "옷걸이 50개", "리빙박스", "이동식 선반")),
            )),
            Middle("침구", "Bedding", "bedding", (
                Leaf("이불", "Duvets", "duvets", "bedding",
                     ("구스 이불", "순면 차렵이불", "여름 인견 이불")),
                Leaf("베개", "Pillows", "pillows", "bedding",
                     ("경추 베개", "메모리폼 베개", "호텔 베개솜")),
            )),
        )),
    Top("스포츠/레저", "Sports & outdoors", "sports", "스포츠", "ball",
        (("#e5f3ea", "#b6dcc3"), ("#e8eef8", "#bccbe8"), ("#fff0e1", "#f6cfa3"), ("#eef4e2", "#cfe0ad")), (
            Middle("캠핑", "Camping", "camping", (
                Leaf("텐트", "Tents", "tents", "sports",
                     ("원터치 텐트", "거실형 텐트", "타프 스크린")),
                Leaf("캠핑가구", "Camping furniture", "camping-furniture", "sports",
                     ("릴렉스 캠핑의자", "롤 테이블", "야전침대")),
                Leaf("랜턴", "Lanterns", "lanterns", "sports",
                     ("충전식 LED 랜턴", "감성 가스랜턴", "헤드랜턴")),
            )),
            Middle("피트니스", "Fitness", "fitness", (
                Leaf("요가/필라테스", "Yoga & pilates", "yoga", "sports",
                     ("TPE 요가매트", "필라테스 링", "폼롤러", "요가 블록")),
                Leaf("홈트레이닝", "Home training", "home-training", "sports",
                     ("덤벨 세트", "케틀벨", "푸시업 바", "실내 자전거")),
            )),
        )),
    Top("유아동", "Baby & kids", "kids", "유아동", "blocks",
        (("#fff1d6", "#ffd98f"), ("#e4f3fb", "#aad8f0"), ("#fde7f0", "#f6bcd4"), ("#eaf6e3", "#bfe4a9")), (
            Middle("유아의류", "Baby clothing", "baby-clothing", (
                Leaf("내복", "Baby underwear", "baby-innerwear", "kids_clothing",
                     ("오가닉 내복 세트", "수면조끼", "실내복 세트")),
                Leaf("아우터", "Kids outerwear", "kids-outerwear", "kids_clothing",
                     ("경량 패딩 점퍼", "후리스 집업", "바람막이")),
            )),
            Middle("장난감", "Toys", "toys", (
                Leaf("블록", "Building blocks", "blocks", "kids",
                     ("자석 블록 100pcs", "원목 블록", "대형 소프트 블록")),
                Leaf("인형", "Dolls & plush", "plush", "kids",
                     ("애착 인형", "토끼 인형", "공룡 봉제인형")),
            )),
            Middle("수유/이유", "Feeding", "feeding", (
                Leaf("젖병", "Baby bottles", "baby-bottles", "kids",
                     ("PPSU 젖병", "유리 젖병", "빨대컵")),
                Leaf("이유식기", "Weaning sets", "weaning", "kids",
                     ("실리콘 흡착식판", "이유식 보관용기", "스푼 포크 세트")),
            )),
        )),
)


@dataclass(frozen=True)
class BrandSpec:
    name: str
    name_en: str
    slug: str
    middles: tuple[str, ...]  # the level-2 category slugs whose products it makes


BRANDS: tuple[BrandSpec, ...] = (
    # fashion
    BrandSpec("모노하우스", "Monohouse", "monohouse", ("fashion-women",)),
    BrandSpec("르베인", "Levain", "levain", ("fashion-women",)),
    BrandSpec("오르트", "Ort", "ort", ("fashion-women", "fashion-men")),
    BrandSpec("데일리무드", "Daily Mood", "daily-mood", ("fashion-men",)),
    BrandSpec("어반폴", "Urban Fall", "urban-fall", ("fashion-men",)),
    BrandSpec("써니클로젯", "Sunny Closet", "sunny-closet", ("fashion-women",)),
    BrandSpec("스텝업", "Step Up", "step-up", ("fashion-shoes-bags", "fitness")),
    BrandSpec("캐리온", "Carry On", "carry-on", ("fashion-shoes-bags",)),
    # beauty
    BrandSpec("그린티랩", "Greentea Lab", "greentea-lab", ("skincare", "hair-body")),
    BrandSpec("아이소라", "Isora", "isora", ("skincare",)),
    BrandSpec("닥터클린", "Dr. Clean", "dr-clean", ("skincare", "hair-body")),
    BrandSpec("라온제나", "Raonzena", "raonzena", ("makeup", "skincare")),
    BrandSpec("봄빛", "Bombit", "bombit", ("makeup",)),
    BrandSpec("퓨어블룸", "Pure Bloom", "pure-bloom", ("hair-body", "makeup")),
    # food
    BrandSpec("산지애", "Sanjiae", "sanjiae", ("fruit", "meat-seafood")),
    BrandSpec("청송골", "Cheongsong Valley", "cheongsong-valley", ("fruit",)),
    BrandSpec("제주담아", "Jeju Dama", "jeju-dama", ("fruit", "meat-seafood")),
    BrandSpec("바다마을", "Sea Village", "sea-village", ("meat-seafood",)),
    BrandSpec("한끼마루", "Hankki Maru", "hankki-maru", ("processed-food",)),
    BrandSpec("커피농장", "Coffee Farm", "coffee-farm", ("processed-food",)),
    # digital
    BrandSpec("사운드웨이", "Soundway", "soundway", ("audio",)),
    BrandSpec("에어클린", "Air Clean", "air-clean", ("home-appliances",)),
    BrandSpec("홈테크", "Hometech", "hometech", ("home-appliances", "kitchen-appliances")),
    BrandSpec("쿡메이트", "Cookmate", "cookmate", ("kitchen-appliances", "kitchenware")),
    BrandSpec("루미노", "Lumino", "lumino", ("audio", "camping")),
    BrandSpec("블루밍홈", "Blooming Home", "blooming-home", ("home-appliances", "bedding")),
    # living
    BrandSpec("키친앤", "Kitchen&", "kitchen-and", ("kitchenware",)),
    BrandSpec("무쇠공방", "Cast Iron Studio", "cast-iron-studio", ("kitchenware",)),
    BrandSpec("포근한집", "Cozy Home", "cozy-home", ("bedding", "household")),
    BrandSpec("정리왕", "Tidy King", "tidy-king", ("household",)),
    BrandSpec("에코워시", "Eco Wash", "eco-wash", ("household",)),
    # sports
    BrandSpec("캠프원", "Camp One", "camp-one", ("camping",)),
    BrandSpec("숲속캠핑", "Forest Camping", "forest-camping", ("camping",)),
    BrandSpec("핏앤밸런스", "Fit & Balance", "fit-and-balance", ("fitness",)),
    BrandSpec("액티브라인", "Active Line", "active-line", ("fitness", "fashion-men")),
    # kids
    BrandSpec("꼬마숲", "Little Forest", "little-forest", ("baby-clothing", "toys")),
    BrandSpec("아가랑", "Agarang", "agarang", ("baby-clothing", "feeding")),
    BrandSpec("토이박스", "Toybox", "toybox", ("toys",)),
    BrandSpec("맘스픽", "Mom's Pick", "moms-pick", ("feeding",)),
    BrandSpec("베베숲", "Bebe Forest", "bebe-forest", ("baby-clothing", "feeding")),
)


@dataclass(frozen=True)
class SellerSpec:
    name: str
    slug: str
    business_name: str
    representative: str
    contact_name: str
    contact_phone: str
    staff_email: str
    staff_name: str
    tops: tuple[str, ...]  # the top-level category slugs it sells in
    base_fee_amount: int
    free_threshold_amount: int
    courier_name: str
    ship_within_days: int
    return_address: str
    description: str = ""


SELLERS: tuple[SellerSpec, ...] = (
    SellerSpec("스타일온", "styleon", "(주)스타일온", "김서연", "이지은", "02-555-1201",
               "seller1@example.com", "이지은", ("fashion", "sports"), 3000, 50000, "CJ대한통운", 2,
               "서울특별시 성동구 성수이로 77, 3층 스타일온 물류센터",
               "매일 입기 좋은 옷과 신발, 가방을 고르는 패션 편집숍입니다."),
    SellerSpec("뷰티랩", "beautylab", "(주)뷰티랩코리아", "박하늘", "최수민", "031-777-3402",
               "seller2@example.com", "최수민", ("beauty",), 2500, 30000, "한진택배", 1,
               "경기도 성남시 분당구 판교로 255, 뷰티랩 반품센터",
               "피부 고민별로 고른 스킨케어와 메이크업을 만나보세요."),
    SellerSpec("산지직송마켓", "farm-direct", "농업회사법인 산지직송(주)", "정우진", "한상철", "054-873-5603",
               "seller3@example.com", "한상철", ("food",), 0, 0, "우체국택배", 1,
               "경상북도 청송군 청송읍 중앙로 12, 산지직송 선별장",
               "산지에서 오늘 수확한 과일과 신선식품을 바로 보내드립니다. 전 상품 무료배송."),
    SellerSpec("리빙앤테크", "living-tech", "(주)리빙앤테크", "윤재호", "오민석", "02-3456-7804",
               "seller4@example.com", "오민석", ("digital", "living", "kids"), 3500, 70000, "롯데택배", 3,
               "인천광역시 서구 로봇랜드로 155, 리빙앤테크 물류센터",
               "집을 편하게 만드는 가전과 생활용품, 아이 용품을 모았습니다."),
)


# --- Product kinds ------------------------------------------------------------------------

COLORS = ("블랙", "화이트", "아이보리", "베이지", "그레이", "네이비", "차콜", "카키", "브라운", "핑크",
          "스카이블루", "버건디", "라벤더", "민트", "크림", "오트밀")
WOMEN_SIZES = ("44", "55", "66", "77")
LETTER_SIZES = ("S", "M", "L", "XL")
SHOE_SIZES = ("230", "235", "240", "245", "250", "255", "260", "265", "270", "275", "280")
KIDS_SIZES = ("70", "80", "90", "100", "110", "120")
COUNTRIES_CLOTHING = ("대한민국", "중국", "베트남")
COUNTRIES_GOODS = ("대한민국", "중국", "베트남", "태국")


@dataclass(frozen=True)
class Kind:
    modifiers: tuple[str, ...]  # the words before the noun in a product's name
    price_range: tuple[int, int]  # list price in thousands of won
    notice_title: str  # the 상품정보제공고시 item (품목) the template follows
    summaries: tuple[str, ...] = field(default=())
    description_points: tuple[str, ...] = field(default=())


KINDS: dict[str, Kind] = {
    "clothing": Kind(
        ("캐시미어 블렌드", "울 혼방", "램스울", "소프트 터치", "데일리", "루즈핏", "세미오버핏", "베이직",
         "프리미엄 코튼", "린넨 혼방", "워셔블", "투웨이"),
        (19, 189), "의류",
        ("매일 손이 가는 기본 아이템", "부드러운 촉감, 편안한 핏", "단독으로도 레이어드로도 좋아요",
         "사계절 내내 입기 좋은 두께감"),
        ("피부에 닿는 느낌이 부드러운 원단을 사용했습니다.", "체형을 자연스럽게 감싸는 여유 있는 핏입니다.",
         "세탁 후에도 변형이 적도록 워싱 처리를 마쳤습니다.", "어떤 하의와도 잘 어울리는 차분한 컬러입니다."),
    ),
    "shoes": Kind(
        ("초경량", "쿠셔닝", "데일리", "클래식", "논슬립", "와이드핏"),
        (39, 159), "구두/신발",
        ("하루 종일 걸어도 편안한 착화감", "가볍고 튼튼한 아웃솔"),
        ("충격을 흡수하는 쿠션 인솔을 넣었습니다.", "미끄럼을 줄이는 고무 아웃솔입니다.",
         "발볼이 넓은 분도 편하게 신을 수 있습니다."),
    ),
    "bags": Kind(
        ("데일리", "방수", "경량", "빈티지", "미니멀", "캔버스"),
        (29, 139), "가방",
        ("수납력 좋은 데일리 가방", "가볍게 들기 좋은 사이즈"),
        ("노트북과 태블릿이 들어가는 넉넉한 수납 공간.", "생활 방수 원단이라 비 오는 날도 걱정 없어요.",
         "길이 조절이 되는 스트랩입니다."),
    ),
    "cosmetics": Kind(
        ("저자극", "대용량", "비건", "약산성", "촉촉한", "산뜻한", "더마", "시카", "어성초", "세라마이드"),
        (9, 69), "화장품",
        ("민감한 피부도 매일 쓰는 저자극 케어", "끈적임 없이 촉촉하게", "피부과 테스트 완료"),
        ("피부 자극 테스트를 마친 저자극 포뮬러입니다.", "가볍게 스며들어 끈적임이 남지 않습니다.",
         "인공 색소와 동물성 원료를 넣지 않았습니다.", "아침저녁 세안 후 적당량을 펴 발라 주세요."),
    ),
    "fresh": Kind(
        ("산지직송", "GAP 인증", "프리미엄", "가정용", "선물용", "못난이", "특품", "당도선별"),
        (15, 129), "농수축산물",
        ("오늘 수확해서 바로 보내드려요", "당도 선별로 믿고 먹는", "선물하기 좋은 프리미엄 구성"),
        ("주문 후 수확해 가장 신선한 상태로 보내드립니다.", "비파괴 당도 선별기로 고른 상품만 담았습니다.",
         "받으신 후 냉장 보관하시면 더 오래 드실 수 있습니다.", "산지 사정에 따라 크기가 조금 다를 수 있습니다."),
    ),
    "processed": Kind(
        ("대용량", "간편한", "무첨가", "저당", "국산 원료", "고소한", "진한"),
        (5, 49), "가공식품",
        ("간편하게 즐기는 한 끼", "국산 원료로 정성껏 만든", "쟁여두기 좋은 대용량"),
        ("HACCP 인증 시설에서 위생적으로 만들었습니다.", "합성 보존료를 넣지 않았습니다.",
         "개봉 후에는 밀봉하여 서늘한 곳에 보관해 주세요."),
    ),
    "electronics": Kind(
        ("2025년형", "저소음", "스마트", "무선", "대용량", "미니", "프리미엄", "IoT"),
        (29, 599), "가정용 전기제품",
        ("조용하고 강력한 성능", "에너지 효율 1등급", "앱으로 어디서나 제어"),
        ("조용한 BLDC 모터로 밤에도 편하게 쓸 수 있습니다.", "전용 앱으로 예약과 원격 제어가 됩니다.",
         "구매일로부터 1년 무상 A/S를 제공합니다.", "KC 안전 인증을 받은 제품입니다."),
    ),
    "kitchen": Kind(
        ("인덕션 겸용", "논스틱", "통3중", "내열유리", "식세기 사용 가능", "국산"),
        (9, 129), "주방용품",
        ("매일 쓰는 주방의 기본", "코팅이 오래가는 튼튼한 구성"),
        ("인덕션, 가스레인지 모두 사용할 수 있습니다.", "식기세척기 사용이 가능합니다.",
         "식품용 기구 적합성 검사를 마쳤습니다."),
    ),
    "living": Kind(
        ("대용량", "리필", "친환경", "무향", "프리미엄", "1+1"),
        (5, 59), "기타 재화",
        ("살림이 쉬워지는 생활 필수품", "넉넉하게 쓰는 대용량"),
        ("생분해 원료를 사용한 친환경 제품입니다.", "좁은 공간에도 쏙 들어가는 사이즈입니다.",
         "한 번 사면 오래 쓰는 넉넉한 구성입니다."),
    ),
    "bedding": Kind(
        ("호텔식", "순면", "40수", "항균", "사계절", "워싱"),
        (15, 199), "침구류/커튼",
        ("호텔처럼 포근한 잠자리", "매일 빨아도 부드러운 순면"),
        ("피부에 닿는 면은 100% 순면입니다.", "집에서 세탁기로 세탁할 수 있습니다.",
         "먼지 날림이 적은 원단을 사용했습니다."),
    ),
    "sports": Kind(
        ("초경량", "원터치", "접이식", "프리미엄", "논슬립", "휴대용", "방수"),
        (15, 399), "스포츠용품",
        ("가볍게 들고 떠나는 캠핑", "집에서 하는 운동을 더 즐겁게"),
        ("가볍고 튼튼한 알루미늄 프레임입니다.", "수납 가방이 함께 들어 있어 보관이 쉽습니다.",
         "미끄럼 방지 처리로 안전하게 사용할 수 있습니다."),
    ),
    "kids": Kind(
        ("무독성", "오가닉", "KC 인증", "말랑말랑", "유아용", "원목"),
        (9, 89), "영유아용품",
        ("아이에게 안심하고 쓰는", "KC 안전 인증 완료"),
        ("KC 안전 인증을 받은 제품입니다.", "모서리를 둥글게 다듬어 안전합니다.",
         "환경호르몬 걱정 없는 소재를 사용했습니다."),
    ),
    "kids_clothing": Kind(
        ("오가닉", "순면", "사계절", "기모", "경량", "데일리"),
        (15, 79), "의류",
        ("아기 피부에 순한 오가닉 코튼", "활동하기 편한 넉넉한 핏"),
        ("형광증백제를 쓰지 않은 원단입니다.", "목과 소매 시보리가 늘어나지 않습니다.",
         "세탁기로 빨아도 보풀이 적습니다."),
    ),
}

# Option axes per kind: (group name, candidate values, how many to pick (min, max), delta rule).
# A delta rule maps the value's index among the picked values to its price difference in won.
FRESH_WEIGHTS = (("1kg", 0), ("2kg", 1), ("3kg", 2), ("5kg", 3), ("10kg", 5))
PROCESSED_PACKS = (("1개", 0), ("2개", 1), ("3개", 2), ("5개", 4), ("10개", 8))
COSMETIC_VOLUMES = (("30ml", 0), ("50ml", 1), ("100ml", 2), ("200ml", 3), ("500ml", 5))
KITCHEN_SIZES = (("18cm", 0), ("20cm", 1), ("24cm", 2), ("26cm", 3), ("28cm", 4), ("30cm", 5))
BED_SIZES = (("싱글", 0), ("슈퍼싱글", 1), ("퀸", 2), ("킹", 3))


# --- 상품정보제공고시: the fields the law asks for each item ----------------------------------

AS_PHONE = {"styleon": "02-555-1201", "beautylab": "031-777-3402", "farm-direct": "054-873-5603",
            "living-tech": "02-3456-7804"}


def notice_for(kind: str, *, rng, name: str, brand: str, seller_slug: str, business_name: str,
               colors: list[str], sizes: list[str], made: str) -> dict[str, str]:
    """The 상품정보제공고시 fields for one product of ``kind``, in the order the law lists them."""
    phone = AS_PHONE.get(seller_slug, "1588-0000")
    country_goods = rng.choice(COUNTRIES_GOODS)
    maker = f"{brand} / {business_name}"
    care = f"{business_name} 고객센터 {phone}"
    color_text = ", ".join(colors) if colors else "상세페이지 참조"
    size_text = ", ".join(sizes) if sizes else "FREE"
    if kind in ("clothing", "kids_clothing"):
        material = rng.choice(("겉감: 면 100%", "울 30%, 나일론 40%, 아크릴 30%", "캐시미어 10%, 울 50%, 나일론 40%",
                               "폴리에스터 100%", "면 95%, 스판덱스 5%", "린넨 55%, 레이온 45%"))
        return {
            "제품소재": material,
            "색상": color_text,
            "치수": size_text,
            "제조자(수입자)": maker,
            "제조국": rng.choice(COUNTRIES_CLOTHING),
            "세탁방법 및 취급시 주의사항": rng.choice(("찬물 단독 손세탁, 건조기 사용 금지", "드라이클리닝 권장",
                                              "30℃ 이하 중성세제 세탁, 뒤집어서 세탁망 사용")),
            "제조연월": made,
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "shoes":
        return {
            "제품 주소재": rng.choice(("겉감: 메쉬, 안감: 합성섬유", "천연 소가죽", "캔버스(면 100%)")),
            "색상": color_text,
            "치수": f"{size_text} (굽 높이 3cm)",
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "취급시 주의사항": "물에 젖은 경우 그늘에서 말려 주세요.",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "bags":
        return {
            "종류": name.split()[-1],
            "소재": rng.choice(("나일론 100%", "폴리에스터 캔버스", "소가죽")),
            "색상": color_text,
            "크기": rng.choice(("가로 30 x 세로 42 x 폭 14cm", "가로 22 x 세로 16 x 폭 7cm")),
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "취급시 주의사항": "오염 시 마른 천으로 닦아 주세요.",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "cosmetics":
        return {
            "내용물의 용량 또는 중량": size_text,
            "제품 주요 사양": rng.choice(("모든 피부용", "건성/민감성 피부용", "지성/복합성 피부용")),
            "사용기한 또는 개봉 후 사용기간": "제조일로부터 36개월, 개봉 후 12개월",
            "사용방법": "적당량을 덜어 피부 결을 따라 부드럽게 펴 발라 흡수시켜 줍니다.",
            "화장품제조업자 및 화장품책임판매업자": f"제조업자: 코스맥스(주) / 책임판매업자: {business_name}",
            "제조국": "대한민국",
            "화장품법에 따라 기재해야 하는 모든 성분": "정제수, 글리세린, 부틸렌글라이콜, 나이아신아마이드, "
                                              "판테놀, 병풀추출물, 세라마이드엔피, 히알루로닉애씨드 외",
            "기능성 화장품 심사 필 여부": rng.choice(("미백·주름개선 기능성 심사 필", "해당 없음")),
            "사용할 때의 주의사항": "상처가 있는 부위에는 사용을 자제하고, 이상이 있으면 전문의와 상담하십시오.",
            "품질보증기준": "소비자분쟁해결기준에 따라 교환 또는 보상",
            "소비자상담 관련 전화번호": phone,
        }
    if kind == "fresh":
        origin = rng.choice(("경북 청송", "제주 서귀포", "충남 논산", "전남 완도", "강원 횡성", "경남 통영"))
        return {
            "품목 또는 명칭": name.split("] ")[-1],
            "포장단위별 내용물의 용량(중량), 수량, 크기": size_text,
            "생산자(수입자)": business_name,
            "원산지": f"국내산 ({origin})",
            "제조연월일(포장일 또는 생산연도)": "주문 후 수확·포장하여 발송",
            "유통기한 또는 품질유지기한": "수령 후 냉장 보관 7일",
            "관련법상 표시사항": rng.choice(("농산물 우수관리(GAP) 인증", "해당 없음", "축산물 등급판정 확인서 발급")),
            "상품구성": name.split("] ")[-1],
            "보관방법 또는 취급방법": "0~5℃ 냉장 보관",
            "소비자상담 관련 전화번호": phone,
        }
    if kind == "processed":
        return {
            "제품명": name.split("] ")[-1],
            "식품의 유형": rng.choice(("유탕면", "커피", "과자", "기타가공품", "액상차")),
            "생산자 및 소재지": f"{business_name} / 경기도 이천시 부발읍 경충대로 1234",
            "제조연월일, 유통기한 또는 품질유지기한": "제조일로부터 12개월 (별도 표기일까지)",
            "포장단위별 내용물의 용량(중량), 수량": size_text,
            "원재료명 및 함량": "밀가루(국산), 정제소금, 설탕, 대두유 외",
            "영양성분": "1회 제공량당 열량 250kcal, 나트륨 800mg",
            "유전자변형식품에 해당하는 경우의 표시": "해당 없음",
            "소비자안전을 위한 주의사항": "이 제품은 알류, 우유, 대두, 밀을 사용한 제품과 같은 시설에서 제조하고 있습니다.",
            "수입식품 여부": "해당 없음",
            "소비자상담 관련 전화번호": phone,
        }
    if kind == "electronics":
        return {
            "품명 및 모델명": f"{name.split('] ')[-1]} / {brand[:2].upper()}-{rng.randint(100, 999)}",
            "KC 인증정보": f"R-R-{rng.choice(('ABC', 'HTC', 'LVT'))}-{rng.randint(10000, 99999)}",
            "정격전압, 소비전력": f"AC 220V 60Hz, {rng.choice((15, 45, 120, 650, 1500))}W",
            "에너지소비효율등급": rng.choice(("1등급", "2등급", "해당 없음")),
            "동일모델의 출시년월": made,
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "크기": rng.choice(("230 x 230 x 420mm", "180 x 95 x 60mm", "320 x 280 x 350mm")),
            "품질보증기준": "구입일로부터 1년 무상 A/S",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "kitchen":
        return {
            "품명 및 모델명": name.split("] ")[-1],
            "재질": rng.choice(("스테인리스 304, 알루미늄", "내열 강화유리, PP 뚜껑", "도자기", "주철")),
            "구성품": rng.choice(("본품 1개", "본품 1개, 뚜껑 1개", "4종 세트")),
            "크기": size_text,
            "동일모델의 출시년월": made,
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "식품 등의 위생법상 수입 기구·용기 여부": "해당 없음",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "bedding":
        return {
            "제품소재": rng.choice(("겉감: 면 100%, 충전재: 구스다운 80%", "면 100%", "인견 100%")),
            "색상": color_text,
            "치수": size_text,
            "제품구성": rng.choice(("이불 1", "베개 1", "10장 1세트")),
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "세탁방법 및 취급시 주의사항": "30℃ 이하 물세탁, 표백제 사용 금지",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "sports":
        return {
            "품명 및 모델명": name.split("] ")[-1],
            "KC 인증정보": "해당 없음",
            "크기, 중량": rng.choice(("210 x 150 x 120cm / 4.2kg", "52 x 60 x 68cm / 2.1kg", "183 x 61cm / 1.1kg")),
            "색상": color_text,
            "재질": rng.choice(("폴리에스터 210D, 알루미늄 폴", "TPE", "스틸, 네오프렌 코팅")),
            "제품구성": "본품, 수납가방",
            "동일모델의 출시년월": made,
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "상품별 세부 사양": "상세페이지 참조",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    if kind == "kids":
        return {
            "품명 및 모델명": name.split("] ")[-1],
            "KC 인증정보": f"CB{rng.randint(100000, 999999)}-{rng.randint(1000, 9999)}",
            "크기, 중량": rng.choice(("20 x 15 x 10cm / 300g", "35cm / 250g", "260ml / 90g")),
            "색상": color_text,
            "재질": rng.choice(("PPSU", "실리콘", "원목(너도밤나무)", "폴리에스터 100%")),
            "사용연령 또는 체중범위": rng.choice(("0개월 이상", "6개월 이상", "36개월 이상")),
            "동일모델의 출시년월": made,
            "제조자(수입자)": maker,
            "제조국": country_goods,
            "취급방법 및 취급시 주의사항": "보호자의 지도 아래 사용하세요. 작은 부품을 삼키지 않도록 주의하세요.",
            "품질보증기준": "관련 법 및 소비자분쟁해결기준에 따름",
            "A/S 책임자와 전화번호": care,
        }
    return {
        "품명 및 모델명": name.split("] ")[-1],
        "법에 의한 인증·허가 등을 받았음을 확인할 수 있는 경우 그에 대한 사항": "해당 없음",
        "제조국 또는 원산지": country_goods,
        "제조자(수입자)": maker,
        "A/S 책임자와 전화번호": care,
    }
